package org.ovss.api;

/** What a loaded method can do. A method that does not declare a capability throws {@link UnsupportedCapabilityException} for it. */
public enum Capability {
  /** {@link SegmentationMethod#train}: learns its own parameters from image-caption pairs. */
  TRAIN,
  /** {@link SegmentationMethod#encodeText} and {@link SegmentationMethod#encodeImage}. */
  ENCODE,
  /** {@link SegmentationMethod#segment}: per-query logits for a batch of windows. */
  SEGMENT,
  /**
   * The encoders also run on ONNX Runtime ({@link Execution.Engine#ONNXRUNTIME}, int8 included) when {@link
   * MethodConfig#execution()} asks; a method without it runs on PyTorch only.
   */
  ONNXRUNTIME
}

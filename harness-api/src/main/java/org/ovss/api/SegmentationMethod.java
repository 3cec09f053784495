package org.ovss.api;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A loaded method. The runner owns the protocol (resizing, sliding windows, logit scale, background
 * policy, post-processing, metrics); a method only turns windows and text into features and logits.
 *
 * <p>Arrays returned by a method are attached to the manager of the input array (or, for text, to the
 * method's own manager) and are closed by whoever closes that manager.
 */
public interface SegmentationMethod extends AutoCloseable {

  MethodInfo info();

  /** Input expectations (resolution, patch stride, normalisation). */
  InputSpec inputSpec();

  /**
   * Encodes every query of every class with every template of the prompt set: each prompt embedding is
   * L2-normalised, the mean over templates is taken and normalised again (as the SCLIP code does).
   */
  default QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    throw new UnsupportedCapabilityException(info().id(), Capability.ENCODE);
  }

  /**
   * Dense features of a batch of normalised windows [B, 3, H, W]: [B, D, H/p, W/p], where p is
   * {@link InputSpec#patchSize()}. Features are not normalised.
   */
  default NDArray encodeImage(NDArray windows) {
    throw new UnsupportedCapabilityException(info().id(), Capability.ENCODE);
  }

  /**
   * Per-query logits [B, Q, H/p, W/p] for a batch of normalised windows [B, 3, H, W], before logit
   * scale, softmax, synonym max and upsampling, which the runner applies.
   */
  default NDArray segment(NDArray windows, QueryEmbeddings queries) {
    throw new UnsupportedCapabilityException(info().id(), Capability.SEGMENT);
  }

  /**
   * Trains the method's own parameters on image-caption pairs with the runner's {@code engine} and
   * writes a checkpoint that {@link MethodProvider#open} loads.
   */
  default TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    throw new UnsupportedCapabilityException(info().id(), Capability.TRAIN);
  }

  /** Releases native memory; never throws a checked exception. */
  @Override
  void close();
}

package org.ovss.clip.model;

/**
 * Architecture of a CLIP ViT model, read from the tensor shapes of its weights (as OpenAI's
 * {@code clip/model.py build_model} does) plus the head counts, which shapes cannot tell.
 */
public record ClipConfig(
    int embedDim,
    int imageResolution,
    int visionLayers,
    int visionWidth,
    int visionHeads,
    int patchSize,
    int contextLength,
    int vocabSize,
    int textWidth,
    int textHeads,
    int textLayers) {

  public ClipConfig {
    check(visionWidth % visionHeads == 0, "vision width " + visionWidth + " not divisible by " + visionHeads + " heads");
    check(textWidth % textHeads == 0, "text width " + textWidth + " not divisible by " + textHeads + " heads");
    check(imageResolution % patchSize == 0, "image size " + imageResolution + " not a multiple of patch " + patchSize);
    check(embedDim > 0 && visionLayers > 0 && textLayers >= 0 && contextLength > 0 && vocabSize > 0, "non-positive size");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid CLIP architecture: " + message);
    }
  }

  /** Patches per side at the native resolution. */
  public int gridSize() {
    return imageResolution / patchSize;
  }

  /** OpenAI's rule for the head count when no config says otherwise: width / 64. */
  public static int defaultHeads(int width) {
    return Math.max(1, width / 64);
  }
}

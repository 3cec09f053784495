package org.ovss.runner.eval;

/** The parts of evaluating one image that {@code ovss bench} reports separately. */
public enum Stage {
  /** Decoding, resizing and normalising the image and reading its label map (on the prefetch thread when on). */
  LOAD("load+resize"),
  /** The method's forwards over the windows (all windows of an image batched up to the window batch). */
  ENCODE("window encode"),
  /** Upsampling window logits, summing them on the canvas, dividing by the counts, resizing to the original size. */
  AGGREGATE("window aggregation"),
  /** PAMR, scaling, softmax, synonym max, DenseCRF, thresholds and argmax. */
  POSTPROCESS("post-processing"),
  /** Adding the label map to the IoU histograms. */
  METRIC("metric update"),
  /** One image on the evaluation thread from taking the loaded sample to the metric update. */
  IMAGE("image end to end"),
  /** Encoding the vocabulary's text queries (once per run, nothing when cached). */
  TEXT("text encode");

  private final String label;

  Stage(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}

package org.ovss.api;

import ai.djl.ndarray.NDArray;

/**
 * A {@link SegmentationMethod} whose inference ends in class scores with a background rule of its own, as
 * GroupViT's and SegCLIP's official {@code encode_decode} do (top-5 image-level class mask, then pixels whose
 * best score is below {@code min(threshold, best group affinity)} set to background). On a dataset with a
 * background class and a protocol with a background threshold, the runner encodes only the foreground
 * classes, calls {@link #segmentWithBackground} per window instead of {@link SegmentationMethod#segment},
 * averages the windows as mmseg's slide inference does, and takes the argmax with channel 0 as background.
 */
public interface ScoresWithBackground {

  /**
   * Scores [B, 1 + Q, H, W] of a batch of normalised windows [B, 3, H, W] at window resolution: channel 0 is
   * the method's background score, channels 1..Q the queries' scores.
   *
   * @param queries the foreground queries (no background query)
   * @param threshold the protocol's background threshold
   */
  NDArray segmentWithBackground(NDArray windows, QueryEmbeddings queries, double threshold);
}

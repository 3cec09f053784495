package org.ovss.runner.image;

import org.ovss.api.InputSpec;

/** Turning decoded images into the normalised float input a method expects. */
public final class Preprocess {
  private Preprocess() {}

  /** (x / 255 - mean) / std per channel, in place on a copy. */
  public static float[] normalize(RgbImage image, InputSpec spec) {
    float[] mean = spec.mean();
    float[] std = spec.std();
    float[] px = image.pixels().clone();
    int plane = image.height() * image.width();
    for (int c = 0; c < 3; c++) {
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        px[i] = (px[i] / 255f - mean[c]) / std[c];
      }
    }
    return px;
  }

  /**
   * Size that brings the short side to {@code shortSide} keeping the aspect ratio, each side rounded to a
   * multiple of {@code multiple} (the patch size) so that every pixel falls in a patch.
   */
  public static int[] shortSideSize(int height, int width, int shortSide, int multiple) {
    double scale = (double) shortSide / Math.min(height, width);
    int h = Math.max(multiple, (int) Math.round(height * scale / multiple) * multiple);
    int w = Math.max(multiple, (int) Math.round(width * scale / multiple) * multiple);
    return new int[] {h, w};
  }
}

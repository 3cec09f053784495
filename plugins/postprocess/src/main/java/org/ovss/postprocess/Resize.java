package org.ovss.postprocess;

/** Bilinear resampling of planar [channels, height, width] maps with PyTorch's {@code F.interpolate} index rules. */
final class Resize {
  private Resize() {}

  /** Fails unless {@code scores} holds the [classes, height, width] values a refine call says it does. */
  static void requireScores(float[] scores, int classes, int height, int width) {
    if (scores.length != (long) classes * height * width) {
      throw new IllegalArgumentException(
          "scores hold " + scores.length + " values, not " + classes + "x" + height + "x" + width);
    }
  }

  /**
   * {@code F.interpolate(mode="bilinear", align_corners=alignCorners)}: source coordinate {@code dst * (in-1)/(out-1)}
   * with aligned corners, else {@code (dst + 0.5) * in/out - 0.5} clamped at 0 (ATen UpSample.h
   * area_pixel_compute_source_index).
   */
  static float[] bilinear(float[] src, int channels, int inH, int inW, int outH, int outW, boolean alignCorners) {
    if (inH == outH && inW == outW) {
      return src.clone();
    }
    int[] y0 = new int[outH];
    int[] y1 = new int[outH];
    float[] ly = new float[outH];
    taps(inH, outH, alignCorners, y0, y1, ly);
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] lx = new float[outW];
    taps(inW, outW, alignCorners, x0, x1, lx);
    float[] out = new float[channels * outH * outW];
    int inPlane = inH * inW;
    int outPlane = outH * outW;
    Parallel.forRange(channels * outH, 64, (from, to) -> {
      for (int r = from; r < to; r++) {
        int c = r / outH;
        int y = r % outH;
        int row0 = c * inPlane + y0[y] * inW;
        int row1 = c * inPlane + y1[y] * inW;
        float wy1 = ly[y];
        float wy0 = 1f - wy1;
        int o = c * outPlane + y * outW;
        for (int x = 0; x < outW; x++) {
          float wx1 = lx[x];
          float wx0 = 1f - wx1;
          out[o + x] = wy0 * (wx0 * src[row0 + x0[x]] + wx1 * src[row0 + x1[x]])
              + wy1 * (wx0 * src[row1 + x0[x]] + wx1 * src[row1 + x1[x]]);
        }
      }
    });
    return out;
  }

  private static void taps(int in, int out, boolean alignCorners, int[] i0, int[] i1, float[] lambda) {
    float scale = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f) : (float) in / out;
    for (int o = 0; o < out; o++) {
      float real = alignCorners ? scale * o : Math.max(scale * (o + 0.5f) - 0.5f, 0f);
      int lo = Math.min((int) real, in - 1);
      i0[o] = lo;
      i1[o] = lo < in - 1 ? lo + 1 : lo;
      lambda[o] = Math.min(Math.max(real - lo, 0f), 1f);
    }
  }
}

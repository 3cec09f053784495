package org.ovss.runner.image;

/**
 * Bilinear resampling with half-pixel centres and clamped borders and without antialiasing: the
 * semantics of PyTorch's {@code interpolate(mode='bilinear', align_corners=False)} and of OpenCV's
 * {@code INTER_LINEAR} on float data, which DJL's own resize does not offer (it forces antialias).
 */
public final class Resize {
  private Resize() {}

  /** Resizes planar [channels, h, w] data to [channels, outH, outW]. */
  public static float[] bilinear(float[] src, int channels, int h, int w, int outH, int outW) {
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException("output size " + outH + "x" + outW + " is empty");
    }
    int[] y0 = new int[outH];
    int[] y1 = new int[outH];
    float[] fy = new float[outH];
    axis(h, outH, y0, y1, fy);
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] fx = new float[outW];
    axis(w, outW, x0, x1, fx);
    float[] out = new float[channels * outH * outW];
    for (int c = 0; c < channels; c++) {
      int in = c * h * w;
      int o = c * outH * outW;
      for (int y = 0; y < outH; y++) {
        int r0 = in + y0[y] * w;
        int r1 = in + y1[y] * w;
        float wy = fy[y];
        for (int x = 0; x < outW; x++) {
          float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
          float bottom = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
          out[o + y * outW + x] = top + (bottom - top) * wy;
        }
      }
    }
    return out;
  }

  private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
    float scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      float real = Math.max((o + 0.5f) * scale - 0.5f, 0f);
      int lo = Math.min((int) real, in - 1);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, in - 1);
      frac[o] = real - lo;
    }
  }

  public static RgbImage bilinear(RgbImage image, int outH, int outW) {
    return new RgbImage(bilinear(image.pixels(), 3, image.height(), image.width(), outH, outW), outH, outW);
  }
}

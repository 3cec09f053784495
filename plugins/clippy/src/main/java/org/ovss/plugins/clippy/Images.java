package org.ovss.plugins.clippy;

/** Plain-Java resampling (DJL 0.35.1's resize turns antialiasing on for bilinear and bicubic). */
final class Images {
  private Images() {}

  /**
   * Bilinear resize of a [channels, h, w] array to [channels, outH, outW] with half-pixel centres and no
   * antialiasing (PyTorch {@code interpolate(mode='bilinear', align_corners=False)}, OpenCV {@code
   * INTER_LINEAR}).
   */
  static float[] resizeBilinear(float[] x, int channels, int h, int w, int outH, int outW) {
    if (h == outH && w == outW) {
      return x.clone();
    }
    float[] out = new float[channels * outH * outW];
    int[] y0 = new int[outH];
    int[] y1 = new int[outH];
    float[] fy = new float[outH];
    axis(h, outH, y0, y1, fy);
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] fx = new float[outW];
    axis(w, outW, x0, x1, fx);
    for (int c = 0; c < channels; c++) {
      int in = c * h * w;
      int o = c * outH * outW;
      for (int y = 0; y < outH; y++) {
        int r0 = in + y0[y] * w;
        int r1 = in + y1[y] * w;
        for (int i = 0; i < outW; i++) {
          float top = x[r0 + x0[i]] * (1 - fx[i]) + x[r0 + x1[i]] * fx[i];
          float bottom = x[r1 + x0[i]] * (1 - fx[i]) + x[r1 + x1[i]] * fx[i];
          out[o + y * outW + i] = top * (1 - fy[y]) + bottom * fy[y];
        }
      }
    }
    return out;
  }

  /** Source indices and weights along one axis: source coordinate (o + 0.5) in / out - 0.5, clamped at 0. */
  private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double src = Math.max(0, (o + 0.5) * scale - 0.5);
      int lo = Math.min((int) src, in - 1);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, in - 1);
      frac[o] = lo == in - 1 ? 0f : (float) (src - lo);
    }
  }

  /**
   * Nearest-neighbour resize of a [h, w] label-like map to [outH, outW] as PyTorch's {@code
   * interpolate(mode='nearest')}: source index floor(o in / out).
   */
  static int[] resizeNearest(int[] map, int h, int w, int outH, int outW) {
    int[] out = new int[outH * outW];
    for (int y = 0; y < outH; y++) {
      int sy = Math.min((int) Math.floor(y * (double) h / outH), h - 1);
      for (int x = 0; x < outW; x++) {
        int sx = Math.min((int) Math.floor(x * (double) w / outW), w - 1);
        out[y * outW + x] = map[sy * w + sx];
      }
    }
    return out;
  }
}

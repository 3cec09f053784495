package org.ovss.plugins.clippy;

/** Nearest-neighbour resampling of label-like maps (bilinear resampling is nn-core's {@code Bilinear}). */
final class Images {
  private Images() {}

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

package org.ovss.runner.image;

/**
 * OpenCV's {@code cv2.resize(..., INTER_LINEAR)} on 8-bit images, bit for bit: coordinates with half-pixel
 * centres clamped at the borders, weights quantised to 11 bits, a horizontal then a vertical pass in
 * integers with the rounding of OpenCV's vectorised vertical pass; an exact 2x reduction in both axes
 * takes OpenCV's area fast path. Checked bit for bit against OpenCV 4.6 (CvResizeTest). mmcv's {@code imresize} (the Resize of every mmseg protocol) calls exactly this.
 */
public final class CvResize {
  private static final int COEF_BITS = 11;
  private static final int COEF_SCALE = 1 << COEF_BITS;

  private CvResize() {}

  /** Resizes an image whose values are integers in [0, 255]; the result holds integers too. */
  public static RgbImage linear(RgbImage src, int outH, int outW) {
    int h = src.height();
    int w = src.width();
    if (outH == h && outW == w) {
      return src;
    }
    if (h == 2 * outH && w == 2 * outW) {
      return halve(src);
    }
    int[] xs = new int[outW];
    short[] xa = new short[2 * outW];
    coefficients(w, outW, xs, xa, true);
    int[] ys = new int[outH];
    short[] ya = new short[2 * outH];
    coefficients(h, outH, ys, ya, false);
    float[] in = src.pixels();
    float[] out = new float[3 * outH * outW];
    int[] row0 = new int[outW];
    int[] row1 = new int[outW];
    for (int c = 0; c < 3; c++) {
      int plane = c * h * w;
      for (int y = 0; y < outH; y++) {
        int sy = ys[y];
        horizontal(in, plane + clamp(sy, h) * w, xs, xa, row0);
        horizontal(in, plane + clamp(sy + 1, h) * w, xs, xa, row1);
        int b0 = ya[2 * y];
        int b1 = ya[2 * y + 1];
        int o = c * outH * outW + y * outW;
        for (int x = 0; x < outW; x++) {
          // The vectorised vertical pass (VResizeLinearVec_32s8u), which OpenCV 4.6 applies to every byte
          // of a row, rounds in two steps: (mul_hi(S0 >> 4, b0) + mul_hi(S1 >> 4, b1) + 2) >> 2.
          int v = ((((row0[x] >> 4) * b0) >> 16) + (((row1[x] >> 4) * b1) >> 16) + 2) >> 2;
          out[o + x] = Math.min(255, Math.max(0, v));
        }
      }
    }
    return new RgbImage(out, outH, outW);
  }

  private static void horizontal(float[] in, int rowStart, int[] xs, short[] xa, int[] out) {
    for (int x = 0; x < out.length; x++) {
      int sx = xs[x];
      int v0 = (int) in[rowStart + sx];
      // At the right border OpenCV clamps the second tap onto the first with weight 0.
      int v1 = xa[2 * x + 1] == 0 ? 0 : (int) in[rowStart + sx + 1];
      out[x] = v0 * xa[2 * x] + v1 * xa[2 * x + 1];
    }
  }

  private static int clamp(int row, int rows) {
    return Math.min(Math.max(row, 0), rows - 1);
  }

  /**
   * Source index and the two quantised weights per output index ({@code resize} in imgproc/resize.cpp).
   * Only the horizontal axis clamps the coordinate at the borders; vertically OpenCV keeps the raw
   * weights and clamps the rows it reads, which rounds differently near the top and bottom.
   */
  private static void coefficients(int in, int out, int[] index, short[] alpha, boolean clampCoordinate) {
    double scale = 1.0 / ((double) out / in);
    for (int d = 0; d < out; d++) {
      float f = (float) ((d + 0.5) * scale - 0.5);
      int s = (int) Math.floor(f);
      f -= s;
      if (clampCoordinate && s < 0) {
        f = 0;
        s = 0;
      }
      if (clampCoordinate && s >= in - 1) {
        f = 0;
        s = in - 1;
      }
      index[d] = s;
      alpha[2 * d] = (short) Math.rint((1f - f) * COEF_SCALE); // cvRound rounds half to even
      alpha[2 * d + 1] = (short) Math.rint(f * COEF_SCALE);
    }
  }

  /** OpenCV's area fast path for an exact 2x reduction: the rounded mean of each 2x2 block. */
  private static RgbImage halve(RgbImage src) {
    int h = src.height();
    int w = src.width();
    int oh = h / 2;
    int ow = w / 2;
    float[] in = src.pixels();
    float[] out = new float[3 * oh * ow];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          int i = c * h * w + 2 * y * w + 2 * x;
          int sum = (int) in[i] + (int) in[i + 1] + (int) in[i + w] + (int) in[i + w + 1];
          out[c * oh * ow + y * ow + x] = (sum + 2) >> 2;
        }
      }
    }
    return new RgbImage(out, oh, ow);
  }

  /** mmcv {@code rescale_size}: the size that fits (long, short) keeping the aspect ratio. */
  public static int[] rescaleSize(int height, int width, int longSide, int shortSide) {
    double factor = Math.min((double) longSide / Math.max(height, width), (double) shortSide / Math.min(height, width));
    return new int[] {(int) (height * factor + 0.5), (int) (width * factor + 0.5)};
  }
}

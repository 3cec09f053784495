package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resampling as two matrix products, out = R_h . X . R_w^T, with PyTorch's
 * {@code F.interpolate(mode='bilinear')} coordinate rules for either align_corners setting. DJL's own
 * resize forces antialiasing and ignores align_corners (deepjavalibrary/djl@v0.35.1 {@code PtNDArrayEx.interpolation}
 * and the JNI's {@code nn_functional.cc}); as matrices the
 * resize stays native, batched over classes, and exact.
 */
public final class BilinearMatrix {
  private BilinearMatrix() {}

  /** Row-major [out, in] weights along one axis. */
  public static float[] weights(int in, int out, boolean alignCorners) {
    float[] w = new float[out * in];
    for (int o = 0; o < out; o++) {
      double src;
      if (alignCorners) {
        src = out > 1 ? o * (double) (in - 1) / (out - 1) : 0;
      } else {
        // Half-pixel centres; PyTorch clamps negative source coordinates to 0.
        src = Math.max((o + 0.5) * in / out - 0.5, 0);
      }
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      float f = (float) (src - i0);
      w[o * in + i0] += 1f - f;
      w[o * in + i1] += f;
    }
    return w;
  }

  /**
   * Resizes the last two axes of {@code x} ([..., h, w]) to [..., outH, outW]; the result lives in
   * {@code x}'s manager.
   */
  public static NDArray resize(NDArray x, int outH, int outW, boolean alignCorners) {
    Shape s = x.getShape();
    int d = s.dimension();
    int h = (int) s.get(d - 2);
    int w = (int) s.get(d - 1);
    if (h == outH && w == outW) {
      return x;
    }
    NDManager m = x.getManager();
    NDArray rh = m.create(weights(h, outH, alignCorners), new Shape(outH, h));
    NDArray rwT = m.create(weights(w, outW, alignCorners), new Shape(outW, w)).transpose();
    return rh.matMul(x).matMul(rwT); // [..., outH, outW]
  }
}

package org.ovss.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resampling without antialiasing, with the coordinate rules of PyTorch's {@code F.interpolate(mode=
 * 'bilinear')} for either align_corners setting; with align_corners False it is also OpenCV's {@code INTER_LINEAR} on
 * float data. DJL's own resize forces antialiasing and ignores align_corners (deepjavalibrary/djl@v0.35.1 {@code
 * PtNDArrayEx.interpolation} and the JNI's {@code nn_functional.cc}).
 *
 * <p>On arrays the resize is two matrix products, out = R_h . X . R_w^T (native, batched over the leading axes, and
 * exact). The [out, in] weights come in two arithmetics that agree to one float rounding: {@link #weights} computes the
 * source coordinate in double, {@link #torchWeights} in float as PyTorch's CPU kernel does. Each caller keeps the one
 * it has always used, so every result stays bit-identical.
 */
public final class Bilinear {
  private Bilinear() {}

  /** Row-major [out, in] weights along one axis, source coordinate in double. */
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
   * Row-major [out, in] weights along one axis with align_corners False, computed in float as PyTorch's CPU kernel
   * does (ATen {@code area_pixel_compute_source_index}): source (in / out)(o + 0.5) - 0.5, clamped at 0.
   */
  public static float[] torchWeights(int in, int out) {
    float[] w = new float[out * in];
    float scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      float src = Math.max(scale * (o + 0.5f) - 0.5f, 0f);
      int i0 = Math.min((int) src, in - 1);
      int i1 = i0 < in - 1 ? i0 + 1 : i0;
      float l1 = src - i0;
      w[o * in + i0] += 1f - l1;
      w[o * in + i1] += l1;
    }
    return w;
  }

  /**
   * Resizes the last two axes of {@code x} ([..., h, w]) to [..., outH, outW] with {@link #weights}; the result lives
   * in {@code x}'s manager (x itself when the size is already right).
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
    return Matrices.of(m, weights(h, outH, alignCorners), h, outH, weights(w, outW, alignCorners), w, outW).apply(x);
  }

  /** The two resampling matrices of one resize, to apply to many arrays of the same size. */
  public static final class Matrices {
    private final NDArray rows;
    private final NDArray colsT;

    private Matrices(NDArray rows, NDArray colsT) {
      this.rows = rows;
      this.colsT = colsT;
    }

    /** From [outH, h] and [outW, w] weights, as arrays of {@code m}. */
    static Matrices of(NDManager m, float[] wh, int h, int outH, float[] ww, int w, int outW) {
      return new Matrices(m.create(wh, new Shape(outH, h)), m.create(ww, new Shape(outW, w)).transpose());
    }

    /** PyTorch-CPU-arithmetic ({@link #torchWeights}) matrices from [h, w] to [outH, outW], arrays of {@code m}. */
    public static Matrices torch(NDManager m, int h, int w, int outH, int outW) {
      return of(m, torchWeights(h, outH), h, outH, torchWeights(w, outW), w, outW);
    }

    /** [..., h, w] to [..., outH, outW]: R_h . x . R_w^T. */
    public NDArray apply(NDArray x) {
      return rows.matMul(x).matMul(colsT);
    }
  }

  /**
   * Resizes planar [channels, h, w] float data to [channels, outH, outW] in plain Java with align_corners False
   * semantics (half-pixel centres, borders clamped), coordinates in float, each tap interpolated as a + (b - a) f.
   */
  public static float[] planar(float[] src, int channels, int h, int w, int outH, int outW) {
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException("output size " + outH + "x" + outW + " is empty");
    }
    int[] y0 = new int[outH];
    int[] y1 = new int[outH];
    float[] fy = new float[outH];
    taps(h, outH, y0, y1, fy);
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] fx = new float[outW];
    taps(w, outW, x0, x1, fx);
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

  private static void taps(int in, int out, int[] i0, int[] i1, float[] frac) {
    float scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      float real = Math.max((o + 0.5f) * scale - 0.5f, 0f);
      int lo = Math.min((int) real, in - 1);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, in - 1);
      frac[o] = real - lo;
    }
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Bicubic resampling of the positional-embedding grid with PyTorch's {@code upsample_bicubic2d}
 * semantics (A = -0.75, align_corners = False, border indices clamped), expressed as an [out, in]
 * weight matrix per axis so the resampling is a matrix product that keeps gradients.
 *
 * <p>SCLIP (and DINO) call {@code F.interpolate(..., scale_factor=((g + 0.1) / sqrt(N)), mode='bicubic')}
 * (wangf3014/SCLIP@b56bd30 {@code clip/model.py}): the source coordinate uses the given scale factor, not the size
 * ratio, which is why this takes the scale factor rather than the output size.
 */
public final class PositionalInterpolation {
  private static final float A = -0.75f;

  private PositionalInterpolation() {}

  /** Scale factor SCLIP uses to bring an {@code inSize} grid to {@code outSize} patches. */
  public static double sclipScaleFactor(int outSize, int inSize) {
    return (outSize + 0.1) / Math.sqrt((double) inSize * inSize);
  }

  /** How the scale factor handed to {@code F.interpolate} is chosen for an {@code out}-patch axis of an {@code in} grid. */
  public enum Scale {
    /** {@code out / in}: {@code F.interpolate(size=...)} (timm, GroupViT, SegCLIP, PACL). */
    SIZE_RATIO,
    /** SCLIP's and DINO's {@code (out + 0.1) / in} ({@link #sclipScaleFactor}). */
    SCLIP;

    double factor(int out, int in) {
      return this == SCLIP ? sclipScaleFactor(out, in) : (double) out / in;
    }
  }

  /**
   * A square grid of features [W, n, n] resampled bicubically to [W, gh, gw] as W_h . grid . W_w^T, a product that
   * keeps gradients; the weight matrices are made in {@code m}.
   */
  public static NDArray resampleGrid(NDManager m, NDArray grid, int n, int gh, int gw, Scale scale) {
    NDArray wh = m.create(weights(n, gh, scale.factor(gh, n)), new Shape(gh, n));
    NDArray ww = m.create(weights(n, gw, scale.factor(gw, n)), new Shape(gw, n));
    return wh.matMul(grid).matMul(ww.transpose()); // [W, gh, gw]
  }

  /**
   * CLIP-layout positional embeddings [1 + n*n, W] (the class token's row first, then the n x n grid row-major) for a
   * gh x gw patch grid: as they are on the native grid, else the class row kept and the grid resampled by
   * {@link #resampleGrid}.
   */
  public static NDArray withClassToken(NDManager m, NDArray pos, int n, long width, int gh, int gw, Scale scale) {
    if (gh == n && gw == n) {
      return pos;
    }
    NDArray clsPos = pos.get(m, new NDIndex("0:1")); // [1, W]
    NDArray grid = pos.get(m, new NDIndex("1:")).reshape(n, n, width).transpose(2, 0, 1); // [W, n, n]
    NDArray resized = resampleGrid(m, grid, n, gh, gw, scale); // [W, gh, gw]
    return clsPos.concat(resized.reshape(width, (long) gh * gw).transpose(), 0); // [1 + gh*gw, W]
  }

  /**
   * Row-major [outSize, inSize] matrix W such that resampled = W . grid along one axis.
   *
   * @param scaleFactor output/input scale as passed to {@code F.interpolate}
   */
  public static float[] weights(int inSize, int outSize, double scaleFactor) {
    float[] w = new float[outSize * inSize];
    // PyTorch computes the source index in the input's scalar type with scale = 1 / scale_factor.
    float scale = (float) (1.0 / scaleFactor);
    for (int o = 0; o < outSize; o++) {
      float real = scale * (o + 0.5f) - 0.5f;
      int base = (int) Math.floor(real);
      float t = real - base;
      float[] c = cubicCoefficients(t);
      for (int j = 0; j < 4; j++) {
        int idx = Math.min(Math.max(base - 1 + j, 0), inSize - 1);
        w[o * inSize + idx] += c[j];
      }
    }
    return w;
  }

  private static float[] cubicCoefficients(float t) {
    float x1 = t;
    float x2 = 1f - t;
    return new float[] {
      cubicFar(x1 + 1f), cubicNear(x1), cubicNear(x2), cubicFar(x2 + 1f)
    };
  }

  // |x| <= 1
  private static float cubicNear(float x) {
    return ((A + 2f) * x - (A + 3f)) * x * x + 1f;
  }

  // 1 < |x| < 2
  private static float cubicFar(float x) {
    return ((A * x - 5f * A) * x + 8f * A) * x - 4f * A;
  }
}

package org.ovss.clip.model;

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

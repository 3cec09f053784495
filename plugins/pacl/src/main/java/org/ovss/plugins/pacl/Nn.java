package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.ovss.clip.model.Scalars;

/**
 * Functional building blocks on NDArrays. Every operation starts from an activation, never from a
 * parameter, so that its result lands in the activation's manager (a training step's scope) rather than
 * the parameters'. Constants inside a training graph go through {@link Scalars} (DJL's scalar overloads
 * free their operand before the backward pass reads it).
 */
final class Nn {
  /** Epsilon of {@code nn.LayerNorm}'s default and of CLIP's LayerNorm. */
  static final float LN_EPS = 1e-5f;

  private Nn() {}

  /** y = x W^T + b with PyTorch's [out, in] weight. */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  /** LayerNorm over the last axis. */
  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
    return LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, LN_EPS).singletonOrThrow();
  }

  /** {@code nn.GELU()}: the exact form x/2 (1 + erf(x / sqrt 2)). */
  static NDArray gelu(NDArray x) {
    return Scalars.mul(x.mul(Scalars.mul(x, (float) (1 / Math.sqrt(2))).erf().add(Scalars.of(x, 1f))), 0.5f);
  }

  /** Rows divided by their L2 norm along the last axis, without an epsilon (as CLIP compares embeddings). */
  static NDArray l2Normalize(NDArray x) {
    return x.div(x.norm(new int[] {-1}, true));
  }

  /**
   * Row-major [outSize, inSize] matrix of PyTorch's bilinear resampling along one axis ({@code
   * F.interpolate(size=..., mode='bilinear', align_corners=False)}, no antialiasing): source coordinate
   * (o + 0.5) in/out - 0.5, clamped at 0, the two neighbours weighted linearly, the last one repeated.
   */
  static float[] bilinearWeights(int inSize, int outSize) {
    float[] w = new float[outSize * inSize];
    double scale = (double) inSize / outSize;
    for (int o = 0; o < outSize; o++) {
      double src = Math.max((o + 0.5) * scale - 0.5, 0);
      int i0 = Math.min((int) Math.floor(src), inSize - 1);
      int i1 = Math.min(i0 + 1, inSize - 1);
      float l1 = (float) (src - i0);
      w[o * inSize + i0] += 1f - l1;
      w[o * inSize + i1] += l1;
    }
    return w;
  }

  /** Bilinear resize of the last two axes of {@code x} [..., h, w] to [..., outH, outW] (align_corners False). */
  static NDArray resizeBilinear(NDArray x, int outH, int outW) {
    Shape s = x.getShape();
    int d = s.dimension();
    int h = (int) s.get(d - 2);
    int w = (int) s.get(d - 1);
    if (h == outH && w == outW) {
      return x;
    }
    NDArray wwT = x.getManager().create(bilinearWeights(w, outW), new Shape(outW, w)).transpose(); // [w, outW]
    NDArray whT = x.getManager().create(bilinearWeights(h, outH), new Shape(outH, h)).transpose(); // [h, outH]
    NDArray cols = x.matMul(wwT); // [..., h, outW]
    int[] swap = new int[d];
    for (int i = 0; i < d; i++) {
      swap[i] = i;
    }
    swap[d - 2] = d - 1;
    swap[d - 1] = d - 2;
    return cols.transpose(swap).matMul(whT).transpose(swap); // [..., outH, outW]
  }

  /**
   * Bilinear resize of a planar [3, h, w] image (values in [0, 1]) to [3, outH, outW] in plain Java,
   * align_corners False and no antialiasing, as {@link #resizeBilinear}.
   */
  static float[] resizeImage(float[] rgb, int h, int w, int outH, int outW) {
    if (h == outH && w == outW) {
      return rgb;
    }
    float[] wy = bilinearWeights(h, outH);
    float[] wx = bilinearWeights(w, outW);
    float[] rows = new float[3 * outH * w];
    for (int c = 0; c < 3; c++) {
      for (int o = 0; o < outH; o++) {
        for (int i = 0; i < h; i++) {
          float k = wy[o * h + i];
          if (k != 0f) {
            for (int x = 0; x < w; x++) {
              rows[(c * outH + o) * w + x] += k * rgb[(c * h + i) * w + x];
            }
          }
        }
      }
    }
    float[] out = new float[3 * outH * outW];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < outH; y++) {
        for (int o = 0; o < outW; o++) {
          float v = 0f;
          for (int i = 0; i < w; i++) {
            float k = wx[o * w + i];
            if (k != 0f) {
              v += k * rows[(c * outH + y) * w + i];
            }
          }
          out[(c * outH + y) * outW + o] = v;
        }
      }
    }
    return out;
  }
}

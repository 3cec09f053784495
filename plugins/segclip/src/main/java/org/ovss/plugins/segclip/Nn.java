package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * Functional building blocks on NDArrays, batch-first ([B, L, C]) where the official code is
 * sequence-first. Every operation starts from an activation, never from a parameter, so that its
 * result lands in the activation's manager (a training step's scope) rather than the parameters'.
 */
final class Nn {
  /** Epsilon of CLIP's and {@code nn.LayerNorm}'s default LayerNorm. */
  static final float LN_EPS = 1e-5f;
  /** Epsilon of the MAE decoder's LayerNorm ({@code partial(nn.LayerNorm, eps=1e-6)}). */
  static final float MAE_LN_EPS = 1e-6f;

  private Nn() {}

  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
    long width = weight.getShape().get(0);
    return LayerNorm.layerNorm(x, new Shape(width), weight, bias, eps).singletonOrThrow();
  }

  /** y = x W^T + b with PyTorch's [out, in] weight; {@code bias} may be null. */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  /**
   * A 0-d float32 constant in {@code like}'s manager. DJL's scalar overloads ({@code mul(Number)},
   * {@code div(Number)}, {@code maximum(Number)}) wrap the number in an array over a Java direct buffer
   * and close it at once; when autograd saves that operand for the backward pass, the buffer can be
   * garbage-collected before the backward reads it (non-deterministic NaN gradients). A constant that
   * lives in the step's manager outlives the backward pass.
   */
  static NDArray scalar(NDArray like, float value) {
    return like.getManager().create(value);
  }

  static NDArray mul(NDArray x, float value) {
    return x.mul(scalar(x, value));
  }

  static NDArray div(NDArray x, float value) {
    return x.div(scalar(x, value));
  }

  /**
   * {@code torch.clamp_min(x, min)}: the gradient passes wherever x >= min. ({@code maximum} differs at ties, where
   * PyTorch halves the gradient: a centre's hard assignment sums to exactly 1 whenever one patch is assigned to it.)
   * The bounds are arrays of x's manager ({@code clip} creates them there), so autograd may keep them.
   */
  static NDArray clampMin(NDArray x, float min) {
    return x.clip(min, Float.MAX_VALUE);
  }

  /** CLIP's QuickGELU, x * sigmoid(1.702 x). */
  static NDArray quickGelu(NDArray x) {
    return x.mul(Activation.sigmoid(mul(x, 1.702f)));
  }

  /** {@code nn.GELU()}: the exact form x/2 (1 + erf(x / sqrt 2)). */
  static NDArray gelu(NDArray x) {
    return mul(x.mul(mul(x, (float) (1 / Math.sqrt(2))).erf().add(scalar(x, 1f))), 0.5f);
  }

  /** Rows {@code from} to {@code to} of a parameter, as an array of {@code m}. */
  static NDArray rows(NDArray param, NDManager m, long from, long to) {
    return param.get(m, new NDIndex(from + ":" + to));
  }

  /**
   * Multi-head attention as {@code nn.MultiheadAttention} (and timm's fused-qkv {@code Attention},
   * which orders its packed projection the same way): queries from {@code xq}, keys and values from
   * {@code xkv}, packed input projection [3C, C] + [3C], scaled dot product per head, output projection.
   *
   * @param xq queries [B, Lq, C]
   * @param xkv keys and values [B, Lk, C]; the same array as {@code xq} for self-attention
   * @param mask additive mask [Lq, Lk] or null
   */
  static NDArray attention(NDArray xq, NDArray xkv, int heads, NDArray inWeight, NDArray inBias, NDArray outWeight,
      NDArray outBias, NDArray mask) {
    long b = xq.getShape().get(0);
    long lq = xq.getShape().get(1);
    long c = xq.getShape().get(2);
    long lk = xkv.getShape().get(1);
    NDManager m = xq.getManager();
    NDArray q;
    NDArray k;
    NDArray v;
    if (xq == xkv) {
      NDArray qkv = linear(xq, inWeight, inBias); // [B, L, 3C]
      q = qkv.get(":, :, 0:" + c);
      k = qkv.get(":, :, " + c + ":" + 2 * c);
      v = qkv.get(":, :, " + 2 * c + ":");
    } else {
      q = linear(xq, rows(inWeight, m, 0, c), rows(inBias, m, 0, c)); // [B, Lq, C]
      NDArray kv = linear(xkv, rows(inWeight, m, c, 3 * c), rows(inBias, m, c, 3 * c)); // [B, Lk, 2C]
      k = kv.get(":, :, 0:" + c);
      v = kv.get(":, :, " + c + ":");
    }
    long hd = c / heads;
    float scale = (float) (1.0 / Math.sqrt(hd));
    NDArray qh = q.reshape(b, lq, heads, hd).transpose(0, 2, 1, 3); // [B, H, Lq, hd]
    NDArray kh = k.reshape(b, lk, heads, hd).transpose(0, 2, 3, 1); // [B, H, hd, Lk]
    NDArray vh = v.reshape(b, lk, heads, hd).transpose(0, 2, 1, 3); // [B, H, Lk, hd]
    NDArray scores = mul(qh, scale).matMul(kh); // [B, H, Lq, Lk]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray out = scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3).reshape(b, lq, c); // [B, Lq, C]
    return linear(out, outWeight, outBias);
  }

  /**
   * CLIP's ResidualAttentionBlock (pre-LN, QuickGELU MLP) under {@code prefix} ({@code ...layers0.3.}):
   * x + attn(ln_1 x), then + mlp(ln_2 x).
   */
  static NDArray residualBlock(Params p, String prefix, NDArray x, int heads, NDArray mask) {
    NDArray h = layerNorm(x, p.get(prefix + "ln_1.weight"), p.get(prefix + "ln_1.bias"), LN_EPS);
    NDArray y = x.add(attention(h, h, heads, p.get(prefix + "attn.in_proj_weight"), p.get(prefix + "attn.in_proj_bias"),
        p.get(prefix + "attn.out_proj.weight"), p.get(prefix + "attn.out_proj.bias"), mask));
    return y.add(clipMlp(p, prefix + "mlp.", layerNorm(y, p.get(prefix + "ln_2.weight"), p.get(prefix + "ln_2.bias"), LN_EPS)));
  }

  /** CLIP's MLP: c_fc, QuickGELU, c_proj. */
  static NDArray clipMlp(Params p, String prefix, NDArray x) {
    NDArray hidden = quickGelu(linear(x, p.get(prefix + "c_fc.weight"), p.get(prefix + "c_fc.bias")));
    return linear(hidden, p.get(prefix + "c_proj.weight"), p.get(prefix + "c_proj.bias"));
  }

  /** The L2 norm along the last axis divides every row, without an epsilon (as CLIP and F.normalize on non-zero rows). */
  static NDArray l2Normalize(NDArray x) {
    return x.div(x.norm(new int[] {-1}, true));
  }
}

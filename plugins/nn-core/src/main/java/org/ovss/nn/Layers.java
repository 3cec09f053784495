package org.ovss.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * Functional layers on NDArrays with PyTorch's weight layouts, batch-first ([B, L, C]).
 *
 * <p>Every operation's receiver is an activation, never a weight: DJL attaches a result to the receiver's manager,
 * so a forward pass's intermediates land in the caller's scope (a training step's) rather than in the manager that
 * owns the weights. Constants go through {@link Scalars}, never DJL's scalar overloads, which free the constant
 * before the backward pass reads it.
 */
public final class Layers {
  /** Epsilon of {@code nn.LayerNorm}'s default and of CLIP's LayerNorm. */
  public static final float LN_EPS = 1e-5f;
  /** Epsilon of the MAE decoder's and timm's {@code partial(nn.LayerNorm, eps=1e-6)}. */
  public static final float LN_EPS_1E6 = 1e-6f;

  private Layers() {}

  /** {@code nn.Linear}: y = x W^T + b with PyTorch's [out, in] weight; {@code bias} may be null. */
  public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  /** {@code nn.Linear} named {@code prefix.weight} / {@code prefix.bias} (the bias optional). */
  public static NDArray linear(NamedWeights w, String prefix, NDArray x) {
    return linear(x, w.get(prefix + ".weight"), w.find(prefix + ".bias"));
  }

  /** {@code nn.LayerNorm} over the last axis with epsilon {@code eps}. */
  public static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
    return LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps).singletonOrThrow();
  }

  /** {@code nn.LayerNorm} over the last axis named {@code prefix.weight} / {@code prefix.bias}, epsilon {@link #LN_EPS}. */
  public static NDArray layerNorm(NamedWeights w, String prefix, NDArray x) {
    return layerNorm(x, w.get(prefix + ".weight"), w.get(prefix + ".bias"), LN_EPS);
  }

  /**
   * {@code nn.GELU()} written out as x/2 (1 + erf(x / sqrt 2)) with autograd-safe constants. (DJL's {@code
   * Activation.gelu} is the engine's fused kernel: the same function, other rounding; {@link #timmMlp} uses that one.)
   */
  public static NDArray gelu(NDArray x) {
    return Scalars.mul(x.mul(Scalars.mul(x, (float) (1 / Math.sqrt(2))).erf().add(Scalars.of(x, 1f))), 0.5f);
  }

  /** CLIP's QuickGELU, x * sigmoid(1.702 x), safe under autograd. */
  public static NDArray quickGelu(NDArray x) {
    return x.mul(Activation.sigmoid(Scalars.mul(x, 1.702f)));
  }

  /** timm's {@code Mlp} named {@code prefix.fc1} / {@code prefix.fc2}: fc1, the engine's exact (erf) GELU, fc2. */
  public static NDArray timmMlp(NamedWeights w, String prefix, NDArray x) {
    return linear(w, prefix + ".fc2", Activation.gelu(linear(w, prefix + ".fc1", x)));
  }

  /** CLIP's MLP named {@code prefix.c_fc} / {@code prefix.c_proj}: c_fc, QuickGELU, c_proj. */
  public static NDArray clipMlp(NamedWeights w, String prefix, NDArray x) {
    return linear(w, prefix + ".c_proj", quickGelu(linear(w, prefix + ".c_fc", x)));
  }

  /** [B, L, C] to [B, heads, L, C / heads]. */
  public static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /** [B, heads, L, d] to [B, L, heads * d]. */
  public static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  /** Rows {@code from} to {@code to} of a parameter, as an array of {@code m}. */
  public static NDArray rows(NDArray param, NDManager m, long from, long to) {
    return param.get(m, new NDIndex(from + ":" + to));
  }

  /**
   * Multi-head attention as {@code nn.MultiheadAttention} (and timm's fused-qkv {@code Attention}, which orders its
   * packed projection the same way): queries from {@code xq}, keys and values from {@code xkv}, packed input
   * projection [3C, C] + [3C], scaled dot product per head, output projection.
   *
   * @param xq queries [B, Lq, C]
   * @param xkv keys and values [B, Lk, C]; the same array as {@code xq} for self-attention
   * @param mask additive mask [Lq, Lk] or null
   */
  public static NDArray attention(NDArray xq, NDArray xkv, int heads, NDArray inWeight, NDArray inBias,
      NDArray outWeight, NDArray outBias, NDArray mask) {
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
    NDArray scores = Scalars.mul(qh, scale).matMul(kh); // [B, H, Lq, Lk]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray out = scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3).reshape(b, lq, c); // [B, Lq, C]
    return linear(out, outWeight, outBias);
  }

  /**
   * CLIP's {@code ResidualAttentionBlock} (pre-LN, QuickGELU MLP) named under {@code prefix} (ending in a dot):
   * x + attn(ln_1 x), then + mlp(ln_2 x).
   */
  public static NDArray clipResidualBlock(NamedWeights w, String prefix, NDArray x, int heads, NDArray mask) {
    NDArray h = layerNorm(x, w.get(prefix + "ln_1.weight"), w.get(prefix + "ln_1.bias"), LN_EPS);
    NDArray y = x.add(attention(h, h, heads, w.get(prefix + "attn.in_proj_weight"), w.get(prefix + "attn.in_proj_bias"),
        w.get(prefix + "attn.out_proj.weight"), w.get(prefix + "attn.out_proj.bias"), mask));
    return y.add(clipMlp(w, prefix + "mlp", layerNorm(y, w.get(prefix + "ln_2.weight"), w.get(prefix + "ln_2.bias"), LN_EPS)));
  }
}

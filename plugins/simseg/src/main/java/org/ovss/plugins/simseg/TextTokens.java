package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.Map;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.model.Scalars;

/**
 * CLIP's text transformer with an output per token: the same computation as clip-core's {@code
 * TextTransformer} (token + positional embedding, pre-LN blocks under a causal mask, QuickGELU MLP,
 * {@code ln_final}), but {@code text_projection} is applied to every token instead of only the end-of-text
 * one, because LoDA pools over the tokens (SimSeg's {@code SimpleProjection} projects every BERT token,
 * muyangyi/SimSeg@50f3f59).
 * clip-core's tower returns only the end-of-text feature, so this class reads the same parameters by their
 * OpenAI names from {@link ClipModel#stateDict()}; gradients reach them as in the tower itself.
 *
 * <p>Every operation starts from an activation (never from a parameter), so results live in the manager of
 * the ids, a training step's scope or an inference scope.
 */
final class TextTokens {
  private static final float LN_EPS = 1e-5f;

  private TextTokens() {}

  /**
   * @param ids token ids [B, L] as {@code ClipTokenizer.tokenize} frames them, L at most the context length
   * @return ln_final + text_projection of every position, [B, L, E]
   */
  static NDArray forward(ClipModel model, NDArray ids) {
    ClipConfig c = model.config();
    Map<String, NamedParameter> p = model.stateDict();
    int len = (int) ids.getShape().get(1);
    if (len > c.contextLength()) {
      throw new IllegalArgumentException("token sequence of " + len + " exceeds context length " + c.contextLength());
    }
    NDManager m = ids.getManager();
    NDArray x = Embedding.embedding(ids.toType(DataType.INT64, false), get(p, "token_embedding.weight"), SparseFormat.DENSE)
        .singletonOrThrow(); // [B, L, W]
    x = x.add(get(p, "positional_embedding").get(m, new NDIndex("0:" + len)));
    NDArray mask = causalMask(m, len);
    for (int i = 0; i < c.textLayers(); i++) {
      x = block(p, "transformer.resblocks." + i + ".", x, c.textHeads(), mask);
    }
    x = layerNorm(x, get(p, "ln_final.weight"), get(p, "ln_final.bias"));
    return x.matMul(get(p, "text_projection")); // [B, L, E]
  }

  /**
   * The tokens LoDA pools: from the first word to the end-of-text token, both included; the start token and
   * the padding after the end are left out. End of text is the first largest id of a row, as clip-core's
   * tower finds it. The start token is excluded because under the causal mask its feature is the same for
   * every caption (BERT's [CLS], which the official code keeps, sees the whole caption; see README).
   *
   * @return B x L flags, row-major
   */
  static boolean[] poolable(NDArray ids) {
    long[] flat = ids.toType(DataType.INT64, false).toLongArray();
    int b = (int) ids.getShape().get(0);
    int len = (int) ids.getShape().get(1);
    boolean[] valid = new boolean[b * len];
    for (int r = 0; r < b; r++) {
      int eot = 0;
      long best = Long.MIN_VALUE;
      for (int j = 0; j < len; j++) {
        long v = flat[r * len + j];
        if (v > best) {
          best = v;
          eot = j;
        }
      }
      if (eot == 0) {
        throw new IllegalArgumentException("token row " + r + " has no end-of-text token after its start token");
      }
      for (int j = 1; j <= eot; j++) {
        valid[r * len + j] = true;
      }
    }
    return valid;
  }

  private static NDArray get(Map<String, NamedParameter> p, String name) {
    NamedParameter np = p.get(name);
    if (np == null) {
      throw new IllegalStateException("CLIP model has no parameter " + name);
    }
    return np.parameter().getArray();
  }

  /** x + attn(ln_1 x), then + mlp(ln_2 x): clip-core's ResidualAttentionBlock with vanilla attention. */
  private static NDArray block(Map<String, NamedParameter> p, String prefix, NDArray x, int heads, NDArray mask) {
    NDArray h = layerNorm(x, get(p, prefix + "ln_1.weight"), get(p, prefix + "ln_1.bias"));
    NDArray y = x.add(attention(p, prefix + "attn.", h, heads, mask));
    NDArray g = layerNorm(y, get(p, prefix + "ln_2.weight"), get(p, prefix + "ln_2.bias"));
    NDArray hidden = linear(g, get(p, prefix + "mlp.c_fc.weight"), get(p, prefix + "mlp.c_fc.bias"));
    hidden = hidden.mul(Activation.sigmoid(Scalars.mul(hidden, 1.702f))); // QuickGELU
    return y.add(linear(hidden, get(p, prefix + "mlp.c_proj.weight"), get(p, prefix + "mlp.c_proj.bias")));
  }

  /** nn.MultiheadAttention with the packed [3W, W] input projection. */
  private static NDArray attention(Map<String, NamedParameter> p, String prefix, NDArray h, int heads, NDArray mask) {
    long b = h.getShape().get(0);
    long len = h.getShape().get(1);
    long width = h.getShape().get(2);
    long hd = width / heads;
    NDArray qkv = linear(h, get(p, prefix + "in_proj_weight"), get(p, prefix + "in_proj_bias")); // [B, L, 3W]
    NDArray q = qkv.get(":, :, 0:" + width).reshape(b, len, heads, hd).transpose(0, 2, 1, 3); // [B, H, L, hd]
    NDArray k = qkv.get(":, :, " + width + ":" + 2 * width).reshape(b, len, heads, hd).transpose(0, 2, 3, 1); // [B, H, hd, L]
    NDArray v = qkv.get(":, :, " + 2 * width + ":").reshape(b, len, heads, hd).transpose(0, 2, 1, 3); // [B, H, L, hd]
    NDArray scores = Scalars.mul(q, (float) (1.0 / Math.sqrt(hd))).matMul(k).add(mask); // [B, H, L, L]
    NDArray out = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, len, width); // [B, L, W]
    return linear(out, get(p, prefix + "out_proj.weight"), get(p, prefix + "out_proj.bias"));
  }

  private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  private static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
    return LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, LN_EPS).singletonOrThrow();
  }

  private static NDArray causalMask(NDManager manager, int len) {
    float[] m = new float[len * len];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        m[i * len + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(m, new Shape(len, len));
  }
}

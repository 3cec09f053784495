package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.ovss.nn.Scalars;

/**
 * CLIP's pre-LN transformer block: x + attn(ln_1 x), then + mlp(ln_2 x) with QuickGELU. Batch-first
 * ([B, L, W]) where OpenAI's code is sequence-first; the maths is the same.
 */
public final class ResidualAttentionBlock extends AbstractBlock implements StateDictBlock {
  private final int width;
  private final int heads;
  private final ClipLayerNorm ln1;
  private final Parameter inProjWeight;
  private final Parameter inProjBias;
  private final ClipLinear outProj;
  private final ClipLayerNorm ln2;
  private final ClipLinear fc;
  private final ClipLinear proj;

  ResidualAttentionBlock(int width, int heads) {
    this.width = width;
    this.heads = heads;
    ln1 = addChildBlock("ln_1", new ClipLayerNorm(width));
    inProjWeight = addParameter(Blocks.weight("in_proj_weight"));
    inProjBias = addParameter(Blocks.bias("in_proj_bias"));
    outProj = addChildBlock("out_proj", new ClipLinear(width, width));
    ln2 = addChildBlock("ln_2", new ClipLayerNorm(width));
    fc = addChildBlock("c_fc", new ClipLinear(width, 4 * width));
    proj = addChildBlock("c_proj", new ClipLinear(4 * width, width));
  }

  /**
   * @param x tokens [B, L, W]
   * @param mask additive attention mask [L, L] (or [B, 1, 1, L], per sample over the keys) or null
   * @param mode how tokens attend to each other
   */
  NDArray forward(ParameterStore ps, NDArray x, NDArray mask, AttentionMode mode, boolean training) {
    // Attention and MLP each free their intermediates on return at inference (the MLP's four [B, L, 4W] arrays
    // would otherwise live as long as the block).
    NDArray attended = Blocks.step(x, training, in -> attention(ps, ln1.forward(ps, in, training), mask, mode, training));
    NDArray y = x.add(attended);
    NDArray mlp = Blocks.step(y, training, in -> proj.forward(ps, quickGelu(fc.forward(ps, ln2.forward(ps, in, training), training)), training));
    NDArray out = y.add(mlp);
    if (!training) {
      attended.close();
      y.close();
      mlp.close();
    }
    return out;
  }

  private NDArray attention(ParameterStore ps, NDArray h, NDArray mask, AttentionMode mode, boolean training) {
    long b = h.getShape().get(0);
    long len = h.getShape().get(1);
    NDArray qkv =
        Linear.linear(h, ps.getValue(inProjWeight, h.getDevice(), training), ps.getValue(inProjBias, h.getDevice(), training))
            .singletonOrThrow(); // [B, L, 3W]
    NDList parts = qkv.split(3, 2); // q, k, v: [B, L, W] each
    if (mode == AttentionMode.IDENTITY) {
      // Identity attention per head reduces to out_proj(v) (MaskCLIP vit.py:94-104).
      return outProj.forward(ps, parts.get(2), training);
    }
    long headDim = width / heads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    NDArray q = splitHeads(parts.get(0), b, len, headDim); // [B, H, L, hd]
    NDArray k = splitHeads(parts.get(1), b, len, headDim);
    NDArray v = splitHeads(parts.get(2), b, len, headDim);
    NDArray weights;
    if (mode == AttentionMode.CSA) {
      NDArray qq = Scalars.mul(q.matMul(q.transpose(0, 1, 3, 2)), scale); // [B, H, L, L]
      NDArray kk = Scalars.mul(k.matMul(k.transpose(0, 1, 3, 2)), scale);
      // Sum of the two softmaxes without renormalisation, as SCLIP's custom_attn.
      weights = qq.softmax(-1).add(kk.softmax(-1));
    } else {
      NDArray scores = Scalars.mul(q, scale).matMul(k.transpose(0, 1, 3, 2)); // [B, H, L, L]
      if (mask != null) {
        scores = scores.add(mask);
      }
      weights = scores.softmax(-1);
    }
    NDArray out = weights.matMul(v).transpose(0, 2, 1, 3).reshape(b, len, width); // [B, L, W]
    return outProj.forward(ps, out, training);
  }

  private NDArray splitHeads(NDArray x, long b, long len, long headDim) {
    return x.reshape(b, len, heads, headDim).transpose(0, 2, 1, 3);
  }

  /** CLIP's QuickGELU, x * sigmoid(1.702 x), safe under autograd. */
  public static NDArray quickGelu(NDArray x) {
    return x.mul(Activation.sigmoid(Scalars.mul(x, 1.702f)));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
    return new NDList(forward(ps, inputs.get(0), mask, AttentionMode.VANILLA, training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public void stateDict(String prefix, Map<String, NamedParameter> out) {
    ln1.stateDict(prefix + "ln_1.", out);
    out.put(prefix + "attn.in_proj_weight", new NamedParameter(inProjWeight, new Shape(3L * width, width)));
    out.put(prefix + "attn.in_proj_bias", new NamedParameter(inProjBias, new Shape(3L * width)));
    outProj.stateDict(prefix + "attn.out_proj.", out);
    ln2.stateDict(prefix + "ln_2.", out);
    fc.stateDict(prefix + "mlp.c_fc.", out);
    proj.stateDict(prefix + "mlp.c_proj.", out);
  }
}

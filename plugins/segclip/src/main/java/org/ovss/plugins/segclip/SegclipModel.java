package org.ovss.plugins.segclip;

import static org.ovss.plugins.segclip.SegclipConfig.BLOCKS;
import static org.ovss.plugins.segclip.SegclipConfig.CLIP;
import static org.ovss.plugins.segclip.SegclipConfig.DECODER;
import static org.ovss.plugins.segclip.SegclipConfig.RECONSTRUCT;
import static org.ovss.plugins.segclip.SegclipConfig.SEMANTIC;
import static org.ovss.plugins.segclip.SegclipConfig.VISUAL;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import java.util.Collections;
import java.util.Map;
import org.ovss.clip.model.PositionalInterpolation;
import org.ovss.nn.Layers;
import org.ovss.nn.Scalars;

/**
 * SegCLIP's image-text model (ArrowLuo/SegCLIP {@code modules/module_clip.py}, {@code
 * module_clip_vtransformer.py}, {@code module_seg_vit.py}, {@code module_mae.py}) on NDArrays, its
 * parameters under the official state-dict names so that official and exported checkpoints load as they are.
 *
 * <p>Image tower: conv1 patches, CLS + positions, ln_pre, the CLS split off and dropped, {@code layers0}
 * on the patch tokens, the semantic group module (centers as queries over [centers; patches], grouped
 * 1x1 k/v projections, assignment softmax over the centers, straight-through hard Gumbel in training
 * and plain softmax at evaluation, per-center mean of the assigned values, {@code proj_o}), {@code
 * layers2} on the center tokens, CLS = max over the centers, ln_post and proj. Text tower: CLIP's.
 *
 * <p>One deliberate difference from the official code: its cross-attention hands the keys batch-first
 * to a sequence-first attention, which mixes the samples of a batch (exact only for batch 1, as in its
 * evaluation). Here every sample attends to its own [centers; patches], in training as well.
 */
public final class SegclipModel {
  /** Gumbel-softmax temperature of the official code ({@code module_seg_vit.py}: {@code tau=0.9}). */
  public static final float GUMBEL_TAU = 0.9f;
  /** CLIP clamps the learned logit scale at 100. */
  static final float MAX_LOGIT_SCALE = 100f;

  private final SegclipConfig config;
  private final Map<String, NDArray> parameters;

  /**
   * @param parameters every tensor of {@code config.shapes()} under its name
   */
  SegclipModel(SegclipConfig config, Map<String, NDArray> parameters) {
    for (Map.Entry<String, Shape> e : config.shapes().entrySet()) {
      NDArray a = parameters.get(e.getKey());
      if (a == null || !a.getShape().equals(e.getValue())) {
        throw new IllegalArgumentException("parameter '" + e.getKey() + "' must have shape " + e.getValue() + ", got "
            + (a == null ? "none" : a.getShape()));
      }
    }
    this.config = config;
    this.parameters = Collections.unmodifiableMap(parameters);
  }

  public SegclipConfig config() {
    return config;
  }

  /** The parameters by official name, in {@link SegclipConfig#shapes()} order. */
  public Map<String, NDArray> parameters() {
    return parameters;
  }

  Params params() {
    return new Params(parameters);
  }

  /**
   * The image tower's outputs.
   *
   * @param tokens ln_post + proj of [max-pooled CLS; the center tokens]: [B, 1 + L, E]
   * @param soft assignment softmax over the centers: [B, L, N]
   * @param hard the straight-through one-hot assignment: [B, L, N]
   */
  public record VisionOutput(NDArray tokens, NDArray soft, NDArray hard) {}

  /** Evaluation forward of normalised images [B, 3, H, W] (no Gumbel noise). */
  public VisionOutput encodeImage(NDArray images) {
    return encodeImage(config, params(), images, null);
  }

  /** Text embeddings [B, E] of token ids [B, L], not normalised. */
  public NDArray encodeText(NDArray ids) {
    return encodeText(config, params(), ids);
  }

  /** min(exp(logit_scale), 100) as a 0-d array of {@code m}. */
  static NDArray logitScale(Params p, NDManager m) {
    NDArray scale = m.zeros(new Shape()).add(p.get(CLIP + "logit_scale")).exp();
    return scale.minimum(Scalars.of(scale, MAX_LOGIT_SCALE));
  }

  /**
   * The image tower.
   *
   * @param gumbel Gumbel(0, 1) noise [B, L, N] for the training assignment, or null at evaluation
   */
  static VisionOutput encodeImage(SegclipConfig c, Params p, NDArray images, NDArray gumbel) {
    NDArray patches = embedPatches(c, p, images);
    for (int i = 0; i < c.firstStageLayers(); i++) {
      patches = Layers.clipResidualBlock(p, BLOCKS + "layers0." + i + ".", patches, c.visionHeads(), null);
    }
    Semantic s = semantic(c, p, patches, gumbel);
    NDArray z = s.regions;
    for (int i = 0; i < c.laterLayers(); i++) {
      z = Layers.clipResidualBlock(p, BLOCKS + "layers2." + i + ".", z, c.visionHeads(), null);
    }
    NDArray cls = z.max(new int[] {1}, true); // [B, 1, W]
    NDArray x = cls.concat(z, 1); // [B, 1 + L, W]
    x = Layers.layerNorm(x, p.get(VISUAL + "ln_post.weight"), p.get(VISUAL + "ln_post.bias"), Layers.LN_EPS);
    return new VisionOutput(x.matMul(p.get(VISUAL + "proj")), s.soft, s.hard); // [B, 1 + L, E]
  }

  /**
   * The masked pass of the reconstruction loss (official {@code SegViT.forward} MAE branch): the kept
   * patches through {@code layers0}, the semantic module, the reconstruct layer and {@code layers_mae2}.
   *
   * @param keep selection of the kept patches [B, K, N] (one 1 per row)
   * @param gumbel noise [B, L, K]
   * @return hidden states of the kept patches [B, K, W]
   */
  static NDArray maskedHidden(SegclipConfig c, Params p, NDArray images, NDArray keep, NDArray gumbel) {
    NDArray patches = keep.matMul(embedPatches(c, p, images)); // [B, K, W]
    for (int i = 0; i < c.firstStageLayers(); i++) {
      patches = Layers.clipResidualBlock(p, BLOCKS + "layers0." + i + ".", patches, c.visionHeads(), null);
    }
    Semantic s = semantic(c, p, patches, gumbel);
    // ReconstructLayer: a Linear over the centre axis of the assignment, then QuickGELU of its product
    // with the centre tokens: [B, K, L] x [B, L, W].
    NDArray a = Layers.linear(s.hard.transpose(0, 2, 1), p.get(RECONSTRUCT + "weight"), p.get(RECONSTRUCT + "bias"));
    NDArray x = Layers.quickGelu(a.matMul(s.regions)); // [B, K, W]
    for (int i = 0; i < c.maeLayers(); i++) {
      x = Layers.clipResidualBlock(p, BLOCKS + "layers_mae2." + i + ".", x, c.visionHeads(), null);
    }
    return x;
  }

  /**
   * The MAE decoder's per-patch reconstruction ({@code MAEDecoder.forward_vis} without the loss).
   *
   * @param hidden masked-pass hidden states [B, K, W]
   * @param restore un-shuffling selection [B, N + 1, N + 1]: row t picks the entry of [pseudo-CLS; kept;
   *     mask tokens] that belongs at token t
   * @return predicted pixels [B, N, p * p * 3]
   */
  static NDArray decode(SegclipConfig c, Params p, NDArray hidden, NDArray restore) {
    long b = hidden.getShape().get(0);
    long kept = hidden.getShape().get(1);
    int n = c.patches();
    NDArray x = hidden.mean(new int[] {1}, true).concat(hidden, 1); // [B, K + 1, W]
    x = Layers.linear(x, p.get(DECODER + "decoder_embed.weight"), p.get(DECODER + "decoder_embed.bias")); // [B, K + 1, D]
    NDArray masks = x.getManager().zeros(new Shape(b, n - kept, c.decoderDim())).add(p.get(DECODER + "mask_token"));
    x = restore.matMul(x.concat(masks, 1)); // [B, N + 1, D]
    x = x.add(p.get(DECODER + "decoder_pos_embed"));
    for (int i = 0; i < c.decoderDepth(); i++) {
      String pre = DECODER + "decoder_blocks." + i + ".";
      NDArray h = Layers.layerNorm(x, p.get(pre + "norm1.weight"), p.get(pre + "norm1.bias"), Layers.LN_EPS_1E6);
      x = x.add(Layers.attention(h, h, c.decoderHeads(), p.get(pre + "attn.qkv.weight"), p.get(pre + "attn.qkv.bias"),
          p.get(pre + "attn.proj.weight"), p.get(pre + "attn.proj.bias"), null));
      h = Layers.layerNorm(x, p.get(pre + "norm2.weight"), p.get(pre + "norm2.bias"), Layers.LN_EPS_1E6);
      h = Layers.gelu(Layers.linear(h, p.get(pre + "mlp.fc1.weight"), p.get(pre + "mlp.fc1.bias")));
      x = x.add(Layers.linear(h, p.get(pre + "mlp.fc2.weight"), p.get(pre + "mlp.fc2.bias")));
    }
    x = Layers.layerNorm(x, p.get(DECODER + "decoder_norm.weight"), p.get(DECODER + "decoder_norm.bias"), Layers.LN_EPS_1E6);
    x = Layers.linear(x, p.get(DECODER + "decoder_pred.weight"), p.get(DECODER + "decoder_pred.bias"));
    return x.get(":, 1:, :"); // the pseudo-CLS row predicts nothing
  }

  /** conv1, CLS + positions, ln_pre, then the CLS dropped: the patch tokens [B, N, W]. */
  private static NDArray embedPatches(SegclipConfig c, Params p, NDArray images) {
    Shape s = images.getShape();
    int ps = c.patchSize();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) < ps || s.get(3) < ps) {
      throw new IllegalArgumentException("images must be [B, 3, H, W] with H, W at least the patch size " + ps + ", got " + s);
    }
    long b = s.get(0);
    int gh = (int) (s.get(2) / ps);
    int gw = (int) (s.get(3) / ps);
    int w = c.visionWidth();
    // The stride-p convolution ignores remainder rows and columns, as the official conv1 does.
    NDArray x = Conv2d.conv2d(images, p.get(VISUAL + "conv1.weight"), null, new Shape(ps, ps)).singletonOrThrow();
    x = x.reshape(b, w, (long) gh * gw).transpose(0, 2, 1); // [B, N, W]
    NDArray cls = x.getManager().zeros(new Shape(b, 1, w)).add(p.get(VISUAL + "class_embedding"));
    x = cls.concat(x, 1).add(positions(c, p, x.getManager(), gh, gw)); // [B, 1 + N, W]
    x = Layers.layerNorm(x, p.get(VISUAL + "ln_pre.weight"), p.get(VISUAL + "ln_pre.bias"), Layers.LN_EPS);
    return x.get(":, 1:, :"); // SegViT splits the CLS off before the first block and never uses it again
  }

  /**
   * Positional embeddings [1 + gh*gw, W]; off the native grid the patch rows are resampled bicubically to
   * the size (gh, gw), align_corners False, as the official {@code get_pos_embed}.
   */
  private static NDArray positions(SegclipConfig c, Params p, NDManager m, int gh, int gw) {
    return PositionalInterpolation.withClassToken(m, p.get(VISUAL + "positional_embedding"), c.gridSize(),
        c.visionWidth(), gh, gw, PositionalInterpolation.Scale.SIZE_RATIO);
  }

  private record Semantic(NDArray regions, NDArray soft, NDArray hard) {}

  /** The official {@code SemanticLearnerModule.forward}, each sample attending to its own keys. */
  private static Semantic semantic(SegclipConfig c, Params p, NDArray patches, NDArray gumbel) {
    long b = patches.getShape().get(0);
    int w = c.visionWidth();
    NDManager m = patches.getManager();
    NDArray inFeature = Layers.layerNorm(patches, p.get(SEMANTIC + "norm.weight"), p.get(SEMANTIC + "norm.bias"), Layers.LN_EPS);
    NDArray q = m.zeros(new Shape(b, c.centers(), w)).add(p.get(SEMANTIC + "semantic_center")); // [B, L, W]
    for (int t = 0; t < c.crossLayers(); t++) {
      String pre = SEMANTIC + "cross_att." + t + ".";
      NDArray kv = q.concat(patches, 1); // [B, L + N, W]: the centers and the raw (un-normed) patches
      NDArray hq = Layers.layerNorm(q, p.get(pre + "ln_x.weight"), p.get(pre + "ln_x.bias"), Layers.LN_EPS);
      NDArray hk = Layers.layerNorm(kv, p.get(pre + "ln_k.weight"), p.get(pre + "ln_k.bias"), Layers.LN_EPS);
      q = q.add(Layers.attention(hq, hk, c.visionHeads(), p.get(pre + "attn.in_proj_weight"), p.get(pre + "attn.in_proj_bias"),
          p.get(pre + "attn.out_proj.weight"), p.get(pre + "attn.out_proj.bias"), null));
      q = q.add(Layers.clipMlp(p, pre + "mlp", Layers.layerNorm(q, p.get(pre + "ln_2.weight"), p.get(pre + "ln_2.bias"), Layers.LN_EPS)));
    }
    q = Layers.layerNorm(q, p.get(SEMANTIC + "cross_ln.weight"), p.get(SEMANTIC + "cross_ln.bias"), Layers.LN_EPS);
    NDArray k = groupedConv(inFeature, p.get(SEMANTIC + "k_conv.weight"), c.groups());
    k = Layers.layerNorm(k, p.get(SEMANTIC + "k_ln.weight"), p.get(SEMANTIC + "k_ln.bias"), Layers.LN_EPS);
    NDArray v = groupedConv(inFeature, p.get(SEMANTIC + "v_conv.weight"), c.groups());
    NDArray logits = q.matMul(k.transpose(0, 2, 1)); // [B, L, N], no 1/sqrt(d)
    NDArray hard = GumbelSoftmax.hard(logits, gumbel, GUMBEL_TAU, 1);
    NDArray soft = logits.softmax(1);
    NDArray sums = Scalars.clampMin(hard.sum(new int[] {2}, true), 1f); // [B, L, 1]
    NDArray regions = hard.matMul(v).div(sums); // [B, L, W]
    regions = Layers.layerNorm(q.add(regions), p.get(SEMANTIC + "proj_o.ln.weight"), p.get(SEMANTIC + "proj_o.ln.bias"), Layers.LN_EPS);
    regions = Layers.gelu(Layers.linear(regions, p.get(SEMANTIC + "proj_o.mlp.fc1.weight"), p.get(SEMANTIC + "proj_o.mlp.fc1.bias")));
    regions = Layers.linear(regions, p.get(SEMANTIC + "proj_o.mlp.fc2.weight"), p.get(SEMANTIC + "proj_o.mlp.fc2.bias"));
    return new Semantic(Layers.quickGelu(regions), soft, hard);
  }

  /**
   * {@code Conv1d(C, C, kernel 1, groups=g, bias=False)} on tokens [B, N, C]: a block-diagonal linear map
   * whose [C, C/g, 1] weight holds g blocks of [C/g, C/g].
   */
  private static NDArray groupedConv(NDArray x, NDArray weight, int groups) {
    long b = x.getShape().get(0);
    long n = x.getShape().get(1);
    long ch = x.getShape().get(2);
    long cg = ch / groups;
    NDArray w2 = weight.get(x.getManager(), new NDIndex(":, :, 0")); // [C, C/g]
    if (groups == 1) {
      return Layers.linear(x, w2, null);
    }
    NDArray wg = w2.reshape(groups, cg, cg).transpose(0, 2, 1); // [g, in, out]
    NDArray xg = x.reshape(b, n, groups, cg).transpose(0, 2, 1, 3); // [B, g, N, C/g]
    return xg.matMul(wg).transpose(0, 2, 1, 3).reshape(b, n, ch); // [B, N, C]
  }

  /**
   * CLIP's text tower: token + positional embeddings, causal blocks, ln_final, the end-of-text token
   * (position of the largest id) times text_projection.
   */
  static NDArray encodeText(SegclipConfig c, Params p, NDArray ids) {
    long b = ids.getShape().get(0);
    int len = (int) ids.getShape().get(1);
    if (len > c.contextLength()) {
      throw new IllegalArgumentException("token sequence of " + len + " exceeds the context length " + c.contextLength());
    }
    NDManager m = ids.getManager();
    NDArray ids64 = ids.toType(DataType.INT64, false);
    NDArray x = Embedding.embedding(ids64, p.get(CLIP + "token_embedding.weight"), SparseFormat.DENSE).singletonOrThrow();
    x.attach(m);
    x = x.add(p.get(CLIP + "positional_embedding").get(m, new NDIndex("0:" + len))); // [B, L, Wt]
    float[] mask = new float[len * len];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        mask[i * len + j] = Float.NEGATIVE_INFINITY;
      }
    }
    NDArray causal = m.create(mask, new Shape(len, len));
    for (int i = 0; i < c.textLayers(); i++) {
      x = Layers.clipResidualBlock(p, CLIP + "transformer.resblocks." + i + ".", x, c.textHeads(), causal);
    }
    x = Layers.layerNorm(x, p.get(CLIP + "ln_final.weight"), p.get(CLIP + "ln_final.bias"), Layers.LN_EPS);
    long[] flat = ids64.toLongArray();
    NDList rows = new NDList();
    for (int r = 0; r < b; r++) {
      int eot = 0;
      for (int j = 1; j < len; j++) {
        if (flat[r * len + j] > flat[r * len + eot]) { // first maximum, like torch.argmax
          eot = j;
        }
      }
      rows.add(x.get(r).get(eot)); // [Wt]
    }
    return NDArrays.stack(rows).matMul(p.get(CLIP + "text_projection")); // [B, E]
  }
}

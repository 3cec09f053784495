package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.PositionalInterpolation;
import org.ovss.nn.Layers;
import org.ovss.nn.NamedWeights;
import org.ovss.nn.Scalars;

/**
 * GroupViT's {@code MultiLabelContrastive} model (NVlabs/GroupViT {@code models/}): the {@code GroupViT} image
 * encoder (patch embedding, stages of transformer blocks over image and group tokens, grouping blocks with
 * assignment attention, final LayerNorm and average pooling), the CLIP-style {@code TextTransformer}, the
 * {@code ProjectMLP} heads with BatchNorm and the learned temperatures.
 *
 * <p>Weights are NDArrays under their official state-dict names ({@link GroupVitStateDict#stateShapes}), so an official
 * checkpoint's {@code model} entry maps onto them one to one. BatchNorm running statistics are part of the
 * state (float32, like the weights); {@code num_batches_tracked}, which only matters for BatchNorm without
 * momentum, is kept as a number.
 */
public final class GroupVitModel implements NamedWeights {
  /** BatchNorm epsilon and momentum of {@code nn.BatchNorm1d}. */
  static final float BN_EPS = 1e-5f;
  static final float BN_MOMENTUM = 0.1f;
  /** {@code AssignAttention}'s defaults in {@code GroupingBlock}: eps added to the assignment sums, gumbel tau. */
  static final float ASSIGN_EPS = 1f;
  static final float GUMBEL_TAU = 1f;
  /** CLIP clamps the learned temperature so that logits never exceed 100 x cosine. */
  static final float MAX_LOGIT_SCALE = 100f;

  private final GroupVitConfig config;
  private final Map<String, NDArray> state;
  private long numBatchesTracked;

  /**
   * @param state every tensor of {@link GroupVitStateDict#stateShapes(GroupVitConfig)} under its name, float32, in the shapes given
   * @param numBatchesTracked the BatchNorm layers' batch counter
   */
  public GroupVitModel(GroupVitConfig config, Map<String, NDArray> state, long numBatchesTracked) {
    this.config = config;
    Map<String, Shape> shapes = GroupVitStateDict.stateShapes(config);
    Map<String, NDArray> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      NDArray a = state.get(e.getKey());
      if (a == null) {
        throw new IllegalArgumentException("GroupViT state lacks '" + e.getKey() + "'");
      }
      if (!a.getShape().equals(e.getValue()) || a.getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException("GroupViT state '" + e.getKey() + "' is " + a.getDataType() + a.getShape()
            + ", expected float32" + e.getValue());
      }
      ordered.put(e.getKey(), a);
    }
    this.state = Collections.unmodifiableMap(ordered);
    this.numBatchesTracked = numBatchesTracked;
  }

  public GroupVitConfig config() {
    return config;
  }

  /** Every tensor under its official name, in {@link GroupVitStateDict#stateShapes} order (the arrays themselves, not copies). */
  public Map<String, NDArray> state() {
    return state;
  }

  /** The BatchNorm layers' {@code num_batches_tracked}. */
  public long numBatchesTracked() {
    return numBatchesTracked;
  }

  void numBatchesTracked(long value) {
    numBatchesTracked = value;
  }

  @Override
  public NDArray get(String name) {
    NDArray a = state.get(name);
    if (a == null) {
      throw new IllegalStateException("GroupViT has no tensor '" + name + "'");
    }
    return a;
  }

  @Override
  public NDArray find(String name) {
    return state.get(name);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Image encoder

  /**
   * Outputs of the image encoder for a batch.
   *
   * @param pooled average of the final tokens, [B, C] ({@code img_encoder(x)['x']})
   * @param tokens final tokens after the last LayerNorm, [B, L, C] ({@code 'feat'}; L = last stage's groups)
   * @param softAssignments per grouping stage, softmax over the groups of the assignment logits, [B, G, N]
   *     ({@code attn_dict['soft']} without its head axis): group g's share of input token n
   * @param gridHeight patch rows of the input
   * @param gridWidth patch columns of the input
   */
  public record ImageEncoding(NDArray pooled, NDArray tokens, List<NDArray> softAssignments, int gridHeight,
      int gridWidth) {}

  /**
   * How a pass runs. Evaluation: BatchNorm with running statistics, hard (or soft) assignment without noise,
   * positional embedding interpolated to the input. Training: BatchNorm with batch statistics, which also
   * updates the running statistics in place, gumbel noise drawn from {@code random}, input of {@code img_size}.
   */
  public static final class Pass {
    public static final Pass EVAL = new Pass(false, null, null);

    private final boolean training;
    private final Random random;
    private final List<NDArray> recordedNoise;

    private Pass(boolean training, Random random, List<NDArray> recordedNoise) {
      this.training = training;
      this.random = random;
      this.recordedNoise = recordedNoise;
    }

    public static Pass training(Random random) {
      return new Pass(true, random, null);
    }

    /**
     * A training pass whose grouping stages add the given Gumbel noise instead of drawing it: one array per stage,
     * in stage order, of the assignment logits' [B, S, N] size (the official [B, 1, S, N] with its head axis
     * reshaped away). A seam for parity tests against recorded runs of the official code.
     */
    static Pass trainingWithNoise(List<NDArray> noise) {
      return new Pass(true, null, List.copyOf(noise));
    }

    public boolean training() {
      return training;
    }

    /** Standard Gumbel noise for the assignment logits {@code raw} [B, S, N] of grouping stage {@code stage}. */
    NDArray gumbelNoise(int stage, NDArray raw) {
      if (recordedNoise == null) {
        return raw.getManager().create(Assignment.gumbelNoise(random, (int) raw.size()), raw.getShape());
      }
      if (stage >= recordedNoise.size() || recordedNoise.get(stage).size() != raw.size()) {
        throw new IllegalArgumentException("recorded Gumbel noise of stage " + stage + " does not fit logits " + raw.getShape()
            + " (" + recordedNoise.size() + " stages recorded)");
      }
      return recordedNoise.get(stage).reshape(raw.getShape());
    }
  }

  /**
   * The image encoder on normalised images [B, 3, H, W] ({@code GroupViT.forward_features} + avgpool). Rows
   * and columns beyond a multiple of the patch size are ignored, as the stride-p patch convolution does.
   */
  public ImageEncoding encodeImage(NDArray images, Pass pass) {
    Shape s = images.getShape();
    int p = config.patchSize();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) < p || s.get(3) < p) {
      throw new InvalidInputException("images must be [B, 3, H, W] with H, W at least the patch size " + p + ", got " + s);
    }
    if (images.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("images must be float32, got " + images.getDataType());
    }
    long b = s.get(0);
    int gh = (int) (s.get(2) / p);
    int gw = (int) (s.get(3) / p);
    long e = config.embedDim();
    NDArray x = Conv2d.conv2d(images, get("img_encoder.patch_embed.proj.weight"),
        get("img_encoder.patch_embed.proj.bias"), new Shape(p, p)).singletonOrThrow(); // [B, E, gh, gw]
    x = x.reshape(b, e, (long) gh * gw).transpose(0, 2, 1); // [B, N, E]
    x = Layers.layerNorm(this, "img_encoder.patch_embed.norm", x);
    x = x.add(positions(x.getManager(), gh, gw, pass.training()));
    List<NDArray> soft = new ArrayList<>();
    NDArray previousGroups = null;
    for (int i = 0; i < config.stages(); i++) {
      String layer = "img_encoder.layers." + i;
      int groups = config.numGroupTokens().get(i);
      int heads = config.numHeads().get(i);
      NDArray groupTokens = null;
      if (groups > 0) {
        groupTokens = x.getManager().zeros(new Shape(b, groups, e)).add(get(layer + ".group_token")); // [B, G, E]
        if (i > 0) {
          groupTokens = groupTokens.add(groupProjector(layer + ".group_projector", previousGroups));
        }
      }
      long tokens = x.getShape().get(1);
      NDArray joint = groupTokens == null ? x : x.concat(groupTokens, 1); // [B, N + G, E]
      for (int j = 0; j < config.depths().get(i); j++) {
        joint = attentionBlock(layer + ".blocks." + j, joint, heads);
      }
      if (groupTokens != null) {
        x = joint.get(new NDIndex(":, 0:{}", tokens)); // [B, N, E]
        groupTokens = joint.get(new NDIndex(":, {}:", tokens)); // [B, G, E]
      } else {
        x = joint;
      }
      if (i < config.stages() - 1) {
        NDArray[] grouped = groupingBlock(layer + ".downsample", i, x, groupTokens, heads, pass);
        x = grouped[0]; // [B, S, E]
        soft.add(grouped[1]); // [B, S, N]
      }
      previousGroups = groupTokens;
    }
    x = Layers.layerNorm(this, "img_encoder.norm", x); // [B, L, E]
    return new ImageEncoding(x.mean(new int[] {1}), x, List.copyOf(soft), gh, gw);
  }

  /**
   * {@code pos_embed} for a gh x gw grid: as stored at the training size, otherwise resized bicubically
   * (align_corners False) from its square grid, as {@code interpolate_pos_encoding} in {@code models/misc.py}.
   */
  private NDArray positions(NDManager m, int gh, int gw, boolean training) {
    NDArray pos = get("img_encoder.pos_embed"); // [1, N, E]
    long n = pos.getShape().get(1);
    long e = pos.getShape().get(2);
    if ((long) gh * gw == n && gh == gw) {
      return pos;
    }
    if (training) {
      throw new InvalidInputException("training needs inputs of img_size " + config.imageSize() + " (a "
          + config.gridSize() + "x" + config.gridSize() + " patch grid), got a " + gh + "x" + gw + " grid");
    }
    int side = (int) Math.sqrt((double) n);
    NDArray grid = m.zeros(new Shape(1, n, e)).add(pos).reshape(side, side, e).transpose(2, 0, 1); // [E, n, n]
    NDArray resized = PositionalInterpolation.resampleGrid(m, grid, side, gh, gw,
        PositionalInterpolation.Scale.SIZE_RATIO); // [E, gh, gw]
    return resized.reshape(e, (long) gh * gw).transpose(); // [gh*gw, E]
  }

  /** {@code AttnBlock}: x + attn(norm1 x), then + mlp(norm2 x), self-attention with a fused qkv projection. */
  private NDArray attentionBlock(String prefix, NDArray x, int heads) {
    Shape s = x.getShape();
    long b = s.get(0);
    long len = s.get(1);
    long c = s.get(2);
    NDArray h = Layers.layerNorm(this, prefix + ".norm1", x);
    NDArray qkv = Layers.linear(this, prefix + ".attn.qkv", h)
        .reshape(b, len, 3, heads, c / heads).transpose(2, 0, 3, 1, 4); // [3, B, heads, N, d]
    NDArray attn = Scalars.mul(qkv.get(0).matMul(qkv.get(1).transpose(0, 1, 3, 2)), scale(c / heads)).softmax(-1); // [B, h, N, N]
    NDArray out = Layers.linear(this, prefix + ".attn.proj", Layers.mergeHeads(attn.matMul(qkv.get(2)))); // [B, N, C]
    x = x.add(out);
    return x.add(Layers.timmMlp(this, prefix + ".mlp", Layers.layerNorm(this, prefix + ".norm2", x)));
  }

  /** {@code Attention} with separate q/k/v projections: queries attend to keys (values = keys). */
  private NDArray crossAttention(String prefix, NDArray query, NDArray key, int heads) {
    long c = query.getShape().get(2);
    NDArray q = Layers.splitHeads(Layers.linear(this, prefix + ".q_proj", query), heads); // [B, h, S, d]
    NDArray k = Layers.splitHeads(Layers.linear(this, prefix + ".k_proj", key), heads); // [B, h, N, d]
    NDArray v = Layers.splitHeads(Layers.linear(this, prefix + ".v_proj", key), heads);
    NDArray attn = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale(c / heads)).softmax(-1); // [B, h, S, N]
    return Layers.linear(this, prefix + ".proj", Layers.mergeHeads(attn.matMul(v))); // [B, S, C]
  }

  /**
   * {@code GroupingBlock}: group tokens mixed to the output count ({@code mlp_inter}), refined by attending to
   * the image tokens, then the image tokens are assigned to them ({@code AssignAttention}, one head).
   *
   * @return the new tokens [B, S, C] and the soft assignment [B, S, N]
   */
  private NDArray[] groupingBlock(String prefix, int stage, NDArray x, NDArray groupTokens, int heads, Pass pass) {
    NDArray tokens = Layers.layerNorm(this, prefix + ".norm_tokens", groupTokens); // [B, G, C]
    x = Layers.layerNorm(this, prefix + ".norm_x", x); // [B, N, C]
    NDArray projected = Layers.timmMlp(this, prefix + ".mlp_inter", tokens.transpose(0, 2, 1)).transpose(0, 2, 1); // [B, S, C]
    projected = Layers.layerNorm(this, prefix + ".norm_post_tokens", projected);
    // CrossAttnBlock with post_norm: no norm on query and key, LayerNorm after the residual MLP
    NDArray y = projected.add(crossAttention(prefix + ".pre_assign_attn.attn", projected, x, heads));
    y = y.add(Layers.timmMlp(this, prefix + ".pre_assign_attn.mlp", Layers.layerNorm(this, prefix + ".pre_assign_attn.norm2", y)));
    projected = Layers.layerNorm(this, prefix + ".pre_assign_attn.norm_post", y);
    long c = projected.getShape().get(2);
    NDArray q = Layers.linear(this, prefix + ".assign.q_proj", projected); // [B, S, C]
    NDArray k = Layers.linear(this, prefix + ".assign.k_proj", x); // [B, N, C]
    NDArray v = Layers.linear(this, prefix + ".assign.v_proj", x);
    NDArray raw = Scalars.mul(q.matMul(k.transpose(0, 2, 1)), scale(c)); // [B, S, N]
    NDArray soft = raw.softmax(1); // over the groups: each token's distribution over groups
    NDArray attn;
    if (!config.hardAssignment()) {
      attn = soft;
    } else if (pass.training()) {
      attn = Assignment.gumbelSoftmax(raw, pass.gumbelNoise(stage, raw), GUMBEL_TAU, true, 1);
    } else {
      attn = Assignment.hardSoftmax(raw, 1);
    }
    attn = attn.div(Scalars.add(attn.sum(new int[] {-1}, true), ASSIGN_EPS)); // mean over the tokens of each group
    NDArray out = Layers.linear(this, prefix + ".assign.proj", attn.matMul(v)).add(projected); // [B, S, C]
    out = out.add(Layers.timmMlp(this, prefix + ".mlp_channels", Layers.layerNorm(this, prefix + ".norm_new_x", out)));
    return new NDArray[] {out, soft};
  }

  /** LayerNorm then {@code MixerMlp} (an Mlp across the token axis) from the previous stage's group tokens. */
  private NDArray groupProjector(String prefix, NDArray previous) {
    NDArray h = Layers.layerNorm(this, prefix + ".0", previous); // [B, G', C]
    return Layers.timmMlp(this, prefix + ".1", h.transpose(0, 2, 1)).transpose(0, 2, 1); // [B, G, C]
  }

  private static float scale(long headDim) {
    return (float) Math.pow(headDim, -0.5);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Text encoder

  /**
   * The text transformer on token ids [B, L] (L at most the context length): the ln_final feature of the
   * end-of-text token (the largest id of each row, as the official code), [B, W]; no projection.
   */
  public NDArray encodeText(NDArray ids) {
    Shape s = ids.getShape();
    if (s.dimension() != 2 || s.get(1) > config.contextLength()) {
      throw new InvalidInputException("token ids must be [B, L] with L at most the context length "
          + config.contextLength() + ", got " + s);
    }
    long b = s.get(0);
    long len = s.get(1);
    long w = config.textWidth();
    NDArray longIds = ids.toType(DataType.INT64, false);
    NDManager m = longIds.getManager();
    NDArray x = Embedding.embedding(longIds, get("text_encoder.token_embedding.weight"), SparseFormat.DENSE)
        .singletonOrThrow(); // [B, L, W]
    x = x.add(get("text_encoder.positional_embedding").get(m, new NDIndex("0:{}", len)));
    NDArray mask = causalMask(m, (int) len);
    for (int j = 0; j < config.textLayers(); j++) {
      String blk = "text_encoder.transformer.resblocks." + j;
      NDArray h = Layers.layerNorm(this, blk + ".ln_1", x);
      NDArray qkv = Linear.linear(h, get(blk + ".attn.in_proj_weight"), get(blk + ".attn.in_proj_bias"))
          .singletonOrThrow(); // [B, L, 3W]
      NDArray q = Layers.splitHeads(qkv.get(new NDIndex(":, :, 0:{}", w)), config.textHeads()); // [B, h, L, d]
      NDArray k = Layers.splitHeads(qkv.get(new NDIndex(":, :, {}:{}", w, 2 * w)), config.textHeads());
      NDArray v = Layers.splitHeads(qkv.get(new NDIndex(":, :, {}:", 2 * w)), config.textHeads());
      NDArray attn = Scalars.mul(q, scale(w / config.textHeads())).matMul(k.transpose(0, 1, 3, 2)).add(mask).softmax(-1);
      x = x.add(Layers.linear(this, blk + ".attn.out_proj", Layers.mergeHeads(attn.matMul(v))));
      NDArray hidden = Layers.linear(this, blk + ".mlp.c_fc", Layers.layerNorm(this, blk + ".ln_2", x));
      x = x.add(Layers.linear(this, blk + ".mlp.c_proj", Layers.quickGelu(hidden)));
    }
    x = Layers.layerNorm(this, "text_encoder.ln_final", x); // [B, L, W]
    long[] flat = longIds.toLongArray();
    long[] rows = new long[(int) b];
    for (int r = 0; r < b; r++) {
      long best = Long.MIN_VALUE;
      for (int j = 0; j < len; j++) {
        long id = flat[(int) (r * len + j)];
        if (id > best) { // first maximum, like torch.argmax
          best = id;
          rows[r] = r * len + j;
        }
      }
    }
    return x.reshape(b * len, w).get(m.create(rows)); // [B, W]
  }

  private static NDArray causalMask(NDManager m, int len) {
    float[] mask = new float[len * len];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        mask[i * len + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return m.create(mask, new Shape(len, len));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Projection heads

  /** {@code img_projector} on [B, C] or [B, L, C]. */
  public NDArray projectImage(NDArray x, Pass pass) {
    return project("img_projector", x, pass);
  }

  /** {@code text_projector} on [B, W] or [B, L, W]. */
  public NDArray projectText(NDArray x, Pass pass) {
    return project("text_projector", x, pass);
  }

  /**
   * {@code ProjectMLP}: (1x1 Conv1d, BatchNorm1d, ReLU) x (layers - 1), then a 1x1 Conv1d, over [B, C, L]; a
   * 2-D input is one token per sample, so BatchNorm's batch statistics run over the batch.
   */
  private NDArray project(String prefix, NDArray x, Pass pass) {
    int layers = config.projNumLayers();
    if (layers == 0) {
      return x;
    }
    boolean flat = x.getShape().dimension() == 2;
    NDArray h = (flat ? x.expandDims(1) : x).transpose(0, 2, 1); // [B, C, L]
    for (int k = 0; k < layers - 1; k++) {
      String conv = prefix + ".linear_hidden." + (3 * k);
      h = Conv1d.conv1d(h, get(conv + ".weight"), get(conv + ".bias")).singletonOrThrow(); // [B, inner, L]
      h = batchNorm(prefix + ".linear_hidden." + (3 * k + 1), h, pass);
      h = Activation.relu(h);
    }
    h = Conv1d.conv1d(h, get(prefix + ".linear_out.weight"), get(prefix + ".linear_out.bias")).singletonOrThrow();
    h = h.transpose(0, 2, 1); // [B, L, D]
    return flat ? h.squeeze(1) : h;
  }

  /**
   * BatchNorm1d over [B, C, L]. Evaluation normalises with the running statistics. Training normalises with
   * the batch's (biased variance) and moves the running statistics towards them (unbiased variance,
   * momentum 0.1) in place, outside the autograd graph, through detached aliases of the stored arrays.
   */
  private NDArray batchNorm(String prefix, NDArray h, Pass pass) {
    NDArray gamma = get(prefix + ".weight");
    NDArray beta = get(prefix + ".bias");
    NDArray runningMean = get(prefix + ".running_mean");
    NDArray runningVar = get(prefix + ".running_var");
    if (!pass.training()) {
      return BatchNorm.batchNorm(h, runningMean, runningVar, gamma, beta, 1, BN_MOMENTUM, BN_EPS, false)
          .singletonOrThrow();
    }
    long count = h.getShape().get(0) * h.getShape().get(2);
    if (count < 2) {
      throw new InvalidInputException("BatchNorm needs more than one value per channel in training (batch size >= 2)");
    }
    long channels = h.getShape().get(1);
    NDArray rows = h.transpose(0, 2, 1); // [B, L, C]: channel last, so the affine weights broadcast
    NDArray mean = rows.reshape(count, channels).mean(new int[] {0}); // [C]
    NDArray centred = rows.sub(mean);
    NDArray var = centred.square().reshape(count, channels).mean(new int[] {0}); // [C], biased
    NDArray out = centred.div(Scalars.add(var, BN_EPS).sqrt()).mul(gamma).add(beta).transpose(0, 2, 1); // [B, C, L]
    NDArray batchMean = mean.stopGradient();
    NDArray batchVar = Scalars.mul(var.stopGradient(), (float) count / (count - 1)); // unbiased
    try (NDArray meanAlias = runningMean.stopGradient(); NDArray varAlias = runningVar.stopGradient()) {
      meanAlias.muli(1f - BN_MOMENTUM).addi(Scalars.mul(batchMean, BN_MOMENTUM));
      varAlias.muli(1f - BN_MOMENTUM).addi(Scalars.mul(batchVar, BN_MOMENTUM));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Temperatures

  /** exp(logit_scale) clamped at 100, as every official use of it. */
  public float logitScale() {
    return (float) Math.min(Math.exp(get("logit_scale").getFloat()), MAX_LOGIT_SCALE);
  }

  /** exp(logit_scale) clamped at 100 as a scalar of {@code m} whose graph reaches the parameter. */
  NDArray logitScale(NDManager m, String name) {
    return m.zeros(new Shape()).add(get(name)).exp().clip(0, MAX_LOGIT_SCALE);
  }
}

package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.model.PositionalInterpolation;
import org.ovss.clip.model.TextTransformer;
import org.ovss.clip.model.VisionTransformer;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * CLIPpy (Ranasinghe et al. Perceptual Grouping in Contrastive Vision-Language Models. ICCV 2023): a
 * CLIP-architecture dual encoder (clip-core's {@link ClipModel} holds the parameters under OpenAI's names, so every
 * CLIP loader and writer works on it) whose forward passes differ from CLIP's in three places:
 *
 * <ul>
 *   <li>the image embedding is the per-channel <b>maximum over the patch tokens</b> after ln_post and
 *       proj, the CLS token excluded ({@link #imageEmbedding}; paper Sections 3.1-3.2: the
 *       paper pools "across the spatial dimensions", the unofficial inference code and its JAX version
 *       take {@code x[:, 1:].max(-2)});
 *   <li>the text embedding is the <b>mean over the non-padding tokens</b> (start to end of text) after
 *       ln_final and text_projection, with bidirectional attention over those tokens, as a T5 encoder
 *       with Sentence-T5's mean pooler ({@link #textEmbedding}; section 1.2);
 *   <li>training may keep only a random subset of the patch tokens, after the positional embeddings are
 *       added and before ln_pre, as open_clip's {@code PatchDropout} (CLS always kept; section 1.6), and
 *       may run at another resolution than the model's, the positional grid interpolated bicubically.
 * </ul>
 *
 * <p>The forward passes are written out on NDArrays so that training and inference run the same code.
 * With no tokens dropped, {@link #imageTokens} equals clip-core's {@code VisionTransformer.forwardTokens}
 * (tested). Every operation starts from an activation, never from a parameter, so that intermediates land
 * in the caller's manager.
 */
public final class ClippyModel {
  /** Epsilon of CLIP's LayerNorm. */
  private static final float LN_EPS = 1e-5f;
  /** CLIP clamps the learned temperature so that logits never exceed 100 x cosine. */
  static final float MAX_LOGIT_SCALE = 100f;
  /** Added to the scores of masked-out tokens before a maximum; far below any embedding value. */
  private static final float MASKED = -1e9f;

  private final ClipModel clip;
  private final ClippyConfig config;
  private final Map<String, NamedParameter> params;

  public ClippyModel(ClipModel clip, ClippyConfig config) {
    this.clip = clip;
    this.config = config;
    this.params = clip.stateDict();
  }

  /** The CLIP parameters (OpenAI names). */
  public ClipModel clip() {
    return clip;
  }

  public ClippyConfig config() {
    return config;
  }

  public ClipConfig clipConfig() {
    return clip.config();
  }

  private NDArray p(String name) {
    NamedParameter np = params.get(name);
    if (np == null) {
      throw new IllegalStateException("the CLIP model has no parameter '" + name + "'");
    }
    return np.parameter().getArray();
  }

  // ---------------------------------------------------------------- image tower

  /**
   * Image tokens after ln_post and proj: [B, 1 + K, E], CLS first, then the kept patch tokens in the
   * order of {@code keep}.
   *
   * @param images normalised images [B, 3, H, W]; H and W are cut down to multiples of the patch size
   * @param keep per image, the indices (row-major on the patch grid) of the patch tokens to keep, all
   *     rows the same length; null keeps every patch in grid order
   */
  public NDArray imageTokens(NDArray images, int[][] keep) {
    ClipConfig c = clip.config();
    int patch = c.patchSize();
    images = VisionTransformer.cropToPatches(images, patch);
    long b = images.getShape().get(0);
    int gh = (int) (images.getShape().get(2) / patch);
    int gw = (int) (images.getShape().get(3) / patch);
    int width = c.visionWidth();
    int n = gh * gw;
    NDManager m = images.getManager();
    NDArray x = Conv2d.conv2d(images, p("visual.conv1.weight"), null, new Shape(patch, patch)).singletonOrThrow(); // [B, W, gh, gw]
    x = x.reshape(b, width, n).transpose(0, 2, 1); // [B, N, W]
    NDArray cls = m.zeros(new Shape(b, 1, width)).add(p("visual.class_embedding")); // [B, 1, W]
    x = cls.concat(x, 1).add(positions(m, gh, gw)); // [B, 1 + N, W]
    if (keep != null) {
      // PatchDropout after the positional embeddings: CLS + the kept patches (open_clip transformer.py).
      NDArray select = m.create(PatchDropout.selection(keep, n), new Shape(b, keep[0].length, n)); // [B, K, N]
      x = x.get(":, 0:1, :").concat(select.matMul(x.get(":, 1:, :")), 1); // [B, 1 + K, W]
    }
    x = layerNorm(x, "visual.ln_pre.");
    for (int i = 0; i < c.visionLayers(); i++) {
      x = block(x, "visual.transformer.resblocks." + i + ".", c.visionHeads(), null);
    }
    x = layerNorm(x, "visual.ln_post.");
    return x.matMul(p("visual.proj")); // [B, 1 + K, E]
  }

  /** Positional embeddings [1 + gh*gw, W], interpolated bicubically (DINO/SCLIP scale factor) off the native grid. */
  private NDArray positions(NDManager m, int gh, int gw) {
    ClipConfig c = clip.config();
    // On the native grid this is the parameter itself: only ever a right operand, so results stay in the
    // activations' manager.
    return PositionalInterpolation.withClassToken(m, p("visual.positional_embedding"), c.gridSize(), c.visionWidth(),
        gh, gw, PositionalInterpolation.Scale.SCLIP);
  }

  /** The image embedding [B, E] of tokens [B, 1 + K, E] (not normalised), by the configured pooling. */
  public NDArray imageEmbedding(NDArray tokens) {
    return switch (config.imagePool()) {
      case MAX -> maxPool(tokens.get(":, 1:, :"));
      case MEAN -> tokens.get(":, 1:, :").mean(new int[] {1});
      case CLS -> tokens.get(":, 0, :");
    };
  }

  /**
   * Dense features [B, E, H/p, W/p] of windows [B, 3, H, W]: the patch tokens after ln_post and proj
   * (not normalised), which is what per-token zero-shot segmentation compares with the text.
   */
  public NDArray denseFeatures(NDArray windows) {
    int patch = clip.config().patchSize();
    long b = windows.getShape().get(0);
    long gh = windows.getShape().get(2) / patch;
    long gw = windows.getShape().get(3) / patch;
    NDArray patches = imageTokens(windows, null).get(":, 1:, :"); // [B, N, E]
    return patches.transpose(0, 2, 1).reshape(b, -1, gh, gw); // [B, E, gh, gw]
  }

  // ---------------------------------------------------------------- text tower

  /**
   * Text tokens after ln_final and text_projection, [B, L, E], with the 0/1 mask [B, L] of the tokens
   * from start to end of text.
   *
   * @param ids token ids [B, L] whose end-of-text token is each row's largest id (CLIP's convention; the
   *     padding after it is 0)
   */
  public Text textTokens(NDArray ids) {
    ClipConfig c = clip.config();
    long b = ids.getShape().get(0);
    int len = (int) ids.getShape().get(1);
    if (len > c.contextLength()) {
      throw new IllegalArgumentException("token sequence of " + len + " exceeds the context length " + c.contextLength());
    }
    NDManager m = ids.getManager();
    int[] eot = eotPositions(ids);
    float[] valid = new float[(int) b * len];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j <= eot[r]; j++) {
        valid[r * len + j] = 1f;
      }
    }
    NDArray mask = m.create(valid, new Shape(b, len)); // [B, L]
    // clip-core's text tower with an output per token; training mode keeps the intermediates in the ids' manager,
    // as a backward pass needs
    NDArray tokens = clip.text().forwardTokens(new ParameterStore(m, false), ids,
        config.textAttention() == ClippyConfig.TextAttention.BIDIRECTIONAL, true);
    return new Text(tokens, mask, eot); // [B, L, E]
  }

  /** Projected text tokens [B, L, E], their 0/1 mask [B, L] and each row's end-of-text position. */
  public record Text(NDArray tokens, NDArray mask, int[] eot) {}

  /** The text embedding [B, E] (not normalised), by the configured pooling. */
  public NDArray textEmbedding(Text text) {
    return switch (config.textPool()) {
      case MEAN -> maskedMean(text.tokens(), text.mask());
      case MAX -> maskedMax(text.tokens(), text.mask());
      case EOT -> rowsAt(text.tokens(), text.eot());
    };
  }

  /** Convenience: {@link #textEmbedding} of {@link #textTokens}. */
  public NDArray encodeText(NDArray ids) {
    return textEmbedding(textTokens(ids));
  }

  /** End-of-text position per row: the first position of the row's largest id, as CLIP's argmax. */
  static int[] eotPositions(NDArray ids) {
    long[] pos = TextTransformer.eotPositions(ids);
    int[] out = new int[pos.length];
    for (int r = 0; r < pos.length; r++) {
      out[r] = (int) pos[r];
    }
    return out;
  }

  // ---------------------------------------------------------------- pooling (static for tests)

  /** Per-channel maximum over the token axis: [B, N, E] to [B, E]. */
  public static NDArray maxPool(NDArray tokens) {
    return tokens.max(new int[] {1});
  }

  /** Mean over the tokens whose mask is 1: tokens [B, L, E], mask [B, L] of 0/1, to [B, E]. */
  public static NDArray maskedMean(NDArray tokens, NDArray mask) {
    NDArray m = mask.expandDims(2); // [B, L, 1]
    return tokens.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1})); // [B, E]
  }

  /** Per-channel maximum over the tokens whose mask is 1: tokens [B, L, E], mask [B, L] of 0/1, to [B, E]. */
  public static NDArray maskedMax(NDArray tokens, NDArray mask) {
    NDArray offset = Scalars.mul(Scalars.sub(mask, 1f), -MASKED).expandDims(2); // [B, L, 1]: 0 kept, -1e9 masked
    return tokens.add(offset).max(new int[] {1});
  }

  /** Row {@code positions[b]} of each sample: tokens [B, L, E] to [B, E], differentiable. */
  static NDArray rowsAt(NDArray tokens, int[] positions) {
    long b = tokens.getShape().get(0);
    long len = tokens.getShape().get(1);
    float[] oneHot = new float[(int) (b * len)];
    for (int r = 0; r < b; r++) {
      oneHot[(int) (r * len + positions[r])] = 1f;
    }
    NDArray select = tokens.getManager().create(oneHot, new Shape(b, 1, len));
    return select.matMul(tokens).squeeze(1);
  }

  // ---------------------------------------------------------------- loss

  /** The learned logit scale min(exp(logit_scale), 100) as a 0-d array of {@code m}, in the graph. */
  public NDArray logitScale(NDManager m) {
    return m.zeros(new Shape()).add(p("logit_scale")).exp().clip(0, MAX_LOGIT_SCALE);
  }

  /**
   * Symmetric InfoNCE over a batch (PAPER 3.1): image and text embeddings L2-normalised, logits = scale
   * x cosine, cross-entropy image-to-text and text-to-image averaged (the paper sums the two directions;
   * the factor 2 is CLIP's convention and only rescales the loss).
   */
  public static NDArray infoNce(NDArray image, NDArray text, NDArray scale) {
    long b = image.getShape().get(0);
    NDArray logits = Norms.l2Normalize(image).matMul(Norms.l2Normalize(text).transpose()).mul(scale); // [B, B]
    NDArray eye = image.getManager().eye((int) b);
    NDArray imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
    NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
    return Scalars.div(imageToText.add(textToImage), 2f * b);
  }


  // ---------------------------------------------------------------- blocks

  private NDArray layerNorm(NDArray x, String prefix) {
    NDArray w = p(prefix + "weight");
    return LayerNorm.layerNorm(x, new Shape(w.getShape().get(0)), w, p(prefix + "bias"), LN_EPS).singletonOrThrow();
  }

  private NDArray linear(NDArray x, String prefix) {
    return Linear.linear(x, p(prefix + "weight"), p(prefix + "bias")).singletonOrThrow();
  }

  /** CLIP's pre-LN residual block: x + attn(ln_1 x), then + mlp(ln_2 x) with QuickGELU. */
  private NDArray block(NDArray x, String prefix, int heads, NDArray mask) {
    NDArray y = x.add(attention(layerNorm(x, prefix + "ln_1."), prefix + "attn.", heads, mask));
    NDArray h = linear(layerNorm(y, prefix + "ln_2."), prefix + "mlp.c_fc.");
    h = h.mul(Activation.sigmoid(Scalars.mul(h, 1.702f))); // QuickGELU
    return y.add(linear(h, prefix + "mlp.c_proj."));
  }

  /** Multi-head self-attention with a packed in-projection; {@code mask} is additive ([L, L] or [B, 1, 1, L]) or null. */
  private NDArray attention(NDArray x, String prefix, int heads, NDArray mask) {
    long b = x.getShape().get(0);
    long len = x.getShape().get(1);
    long width = x.getShape().get(2);
    NDArray qkv = Linear.linear(x, p(prefix + "in_proj_weight"), p(prefix + "in_proj_bias")).singletonOrThrow(); // [B, L, 3W]
    long hd = width / heads;
    NDArray q = qkv.get(":, :, 0:" + width).reshape(b, len, heads, hd).transpose(0, 2, 1, 3); // [B, H, L, hd]
    NDArray k = qkv.get(":, :, " + width + ":" + 2 * width).reshape(b, len, heads, hd).transpose(0, 2, 3, 1); // [B, H, hd, L]
    NDArray v = qkv.get(":, :, " + 2 * width + ":").reshape(b, len, heads, hd).transpose(0, 2, 1, 3); // [B, H, L, hd]
    NDArray scores = Scalars.mul(q, (float) (1.0 / Math.sqrt(hd))).matMul(k); // [B, H, L, L]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray out = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, len, width); // [B, L, W]
    return linear(out, prefix + "out_proj.");
  }
}

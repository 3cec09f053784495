package org.ovss.plugins.segclip;

import static org.ovss.plugins.segclip.SegclipConfig.BLOCKS;
import static org.ovss.plugins.segclip.SegclipConfig.CLIP;
import static org.ovss.plugins.segclip.SegclipConfig.DECODER;
import static org.ovss.plugins.segclip.SegclipConfig.VISUAL;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Trainable;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.train.BatchSampler;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * SegCLIP's training objective (Luo et al. ICML 2023, Eq. 7;
 * ArrowLuo/SegCLIP@df09ba2 {@code SegCLIP.forward}): L = w_con
 * L_con + w_rec L_rec + w_sup L_sup.
 *
 * <ul>
 *   <li>L_con: symmetric InfoNCE between the pooled image embedding and the caption's end-of-text
 *       embedding, logits x min(exp(logit_scale), 100).
 *   <li>L_rec: a second, masked pass (the official MAE branch): {@code mask-ratio} of the patch tokens
 *       removed (int((N + 1)(1 - ratio)) tokens kept, the CLS among them, then dropped), the kept ones
 *       through the first stage and the semantic module, the reconstruct layer and {@code layers_mae2},
 *       then the MAE decoder; mean squared error against the normalised pixels of the removed patches.
 *   <li>L_sup: the superpixel KL ({@link SuperpixelKl}) between each patch's straight-through assignment
 *       of the unmasked pass and its super-patch's mean, super-patches from Felzenszwalb superpixels
 *       ({@link Felzenszwalb}) of the source image cropped like the image.
 * </ul>
 *
 * <p>Everything random in a step (the batch, crops, captions, Gumbel noise, masks) comes from a
 * generator seeded with (seed, step), so a resumed run repeats an uninterrupted one.
 *
 * <p>The optimiser groups of the official {@code prep_optimizer} (ArrowLuo/SegCLIP@df09ba2
 * {@code main_task_align.py}): the paper's lower rate (4e-6 against 4e-3) for the text tower, the first-stage
 * blocks, the logit scale, ln_final and text_projection is their {@link #learningRateScale} {@code
 * lower-lr-ratio}, under the engine's one schedule, and their weight decay runs at that rate too, towards 0 (as
 * {@code AdaptAdamW}'s p (1 - lr_group wd)); weight decay applies to every parameter whose name lacks "bias"
 * ({@link #decays}), LayerNorm gains and {@code logit_scale} included.
 */
public final class SegclipTraining implements Trainable {
  /** Name of the exported weights file. */
  public static final String WEIGHTS_FILE = "segclip.safetensors";

  private final SegclipModel model;
  private final ClipTokenizer tokenizer;
  private final ImageTextSource data;
  private final SegclipTrainSettings settings;
  private final int contextLength;
  private final Map<String, NDArray> trainable = new LinkedHashMap<>();
  private final Set<String> lowerRate = new HashSet<>();
  private final Map<Integer, int[]> superpixels = new ConcurrentHashMap<>();

  /**
   * @param model a model whose parameters live in a manager that outlives training; they are trained in place
   * @param manager for training-time state beside the model's (none today: the lower-rate group is a
   *     learning-rate scale, no longer an offset array)
   */
  public SegclipTraining(SegclipModel model, ClipTokenizer tokenizer, ImageTextSource data, SegclipTrainSettings settings,
      NDManager manager) {
    SegclipConfig c = model.config();
    if (data.size() < settings.batchSize()) {
      throw new InvalidInputException("training needs at least one batch: " + data.size() + " pairs < batch size "
          + settings.batchSize());
    }
    if (tokenizer.vocabSize() > c.vocabSize()) {
      throw new InvalidInputException("tokenizer has " + tokenizer.vocabSize() + " tokens, the model embeds " + c.vocabSize());
    }
    if (settings.reconstructionWeight() > 0 && !c.hasReconstruction()) {
      throw new InvalidInputException("the model has no MAE branch (layers_mae2 + vis_mae_decoder) for the reconstruction "
          + "loss: set loss-weight-reconstruction=0");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.data = data;
    this.settings = settings;
    this.contextLength = Math.min(settings.contextLength(), c.contextLength());
    int kept = keptPatches(c, settings.maskRatio());
    if (settings.reconstructionWeight() > 0 && (kept < 1 || kept >= c.patches())) {
      throw new InvalidInputException("mask-ratio " + settings.maskRatio() + " keeps " + kept + " of " + c.patches()
          + " patches; it must keep at least one and remove at least one");
    }
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      String name = e.getKey();
      switch (group(name)) {
        case FROZEN -> { }
        case LOWER -> {
          if (settings.lowerLrRatio() > 0) {
            trainable.put(name, e.getValue());
            lowerRate.add(name);
          }
        }
        case NORMAL -> trainable.put(name, e.getValue());
      }
    }
  }

  private enum Group { FROZEN, LOWER, NORMAL }

  /** The official parameter groups (ArrowLuo/SegCLIP@df09ba2 {@code main_task_align.py}). */
  private Group group(String name) {
    if (name.equals(DECODER + "decoder_pos_embed")) {
      return Group.FROZEN; // a fixed buffer
    }
    boolean embedding = name.equals(VISUAL + "conv1.weight") || name.equals(VISUAL + "positional_embedding")
        || name.equals(VISUAL + "class_embedding") || name.startsWith(VISUAL + "ln_pre.")
        || name.equals(CLIP + "token_embedding.weight") || name.equals(CLIP + "positional_embedding");
    if (embedding) {
      return settings.freezeEmbeddings() ? Group.FROZEN : Group.LOWER;
    }
    boolean lower = name.startsWith(BLOCKS + "layers0.") || name.startsWith(CLIP + "transformer.resblocks.")
        || name.equals(CLIP + "logit_scale") || name.startsWith(CLIP + "ln_final.") || name.equals(CLIP + "text_projection");
    return lower ? Group.LOWER : Group.NORMAL;
  }

  public SegclipModel model() {
    return model;
  }

  @Override
  public Map<String, NDArray> parameters() {
    return trainable;
  }

  /** {@code lower-lr-ratio} for the official lower-rate group (4e-6 / 4e-3 = 0.001 by default), else 1. */
  @Override
  public double learningRateScale(String name) {
    return lowerRate.contains(name) ? settings.lowerLrRatio() : 1;
  }

  /** The official no-decay rule: parameters whose name contains "bias" (LayerNorm gains are decayed). */
  @Override
  public boolean decays(String name, NDArray parameter) {
    return !name.contains("bias");
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    SegclipConfig c = model.config();
    Random random = BatchSampler.stepRandom(seed, step);
    int b = settings.batchSize();
    int res = c.imageResolution();
    int n = c.patches();
    float[] images = new float[b * 3 * res * res];
    int[] ids = new int[b * contextLength];
    float[] same = new float[b * n * n];
    int[] batch = BatchSampler.distinct(random, data.size(), b);
    for (int i = 0; i < b; i++) {
      int index = batch[i];
      BatchSampler.Image image = BatchSampler.image(data, index);
      float[] rgb = image.rgb();
      int h = image.height();
      int w = image.width();
      Augment.Box box = Augment.randomResizedCrop(random, h, w, settings.cropScaleMin(), settings.cropScaleMax());
      Augment.cropResizeNormalize(rgb, h, w, box, res, InputSpec.CLIP_MEAN, InputSpec.CLIP_STD, images, i * 3 * res * res);
      String caption = BatchSampler.caption(random, data, index);
      System.arraycopy(tokenizer.tokenize(caption, contextLength), 0, ids, i * contextLength, contextLength);
      if (settings.superpixelWeight() > 0) {
        samePatches(Augment.superPatches(superpixels(index, rgb, h, w), h, w, box, res, c.patchSize()), same, i * n * n);
      }
    }
    return objective(c, settings, model.params(), scope.create(images, new Shape(b, 3, res, res)),
        scope.create(ids, new Shape(b, contextLength)), scope.create(same, new Shape(b, n, n)), Noise.drawn(random));
  }

  /**
   * The random draws of a step's objective besides the batch. Training draws them from the step's generator
   * ({@link #drawn}); the training parity test replays the noise the official code drew.
   */
  interface Noise {
    /**
     * Gumbel(0, 1) noise of the semantic module's hard assignment, [B, L, tokens] flattened: pass 0 is the full
     * forward (tokens = every patch), pass 1 the masked forward of the reconstruction loss (tokens = the kept
     * patches, in the order {@code random_masking} keeps them).
     */
    float[] gumbel(int pass, int count);

    /**
     * {@code random_masking}'s uniform noise of one sample's patch tokens (one value per patch, in patch order);
     * the CLS, which the official code always keeps (its noise set to -1), has none.
     */
    double[] masking(int patches);

    /** Draws from {@code random} in the order the objective asks: pass-0 Gumbel, per-sample masks, pass-1 Gumbel. */
    static Noise drawn(Random random) {
      return new Noise() {
        @Override
        public float[] gumbel(int pass, int count) {
          return GumbelSoftmax.noise(random, count);
        }

        @Override
        public double[] masking(int patches) {
          double[] u = new double[patches];
          for (int t = 0; t < patches; t++) {
            u[t] = random.nextDouble();
          }
          return u;
        }
      };
    }
  }

  /** Writes the indicator of two patches sharing a super-patch, [N, N] at {@code offset}, from each patch's super-patch id. */
  static void samePatches(long[] patchIds, float[] same, int offset) {
    int n = patchIds.length;
    for (int p = 0; p < n; p++) {
      for (int q = 0; q < n; q++) {
        same[offset + p * n + q] = patchIds[p] == patchIds[q] ? 1f : 0f;
      }
    }
  }

  /**
   * The weighted objective of one batch (official {@code SegCLIP.forward} in training, world size 1).
   *
   * @param images normalised images [B, 3, H, W] at the model's resolution; the step's arrays live in their manager
   * @param ids caption token ids [B, T]
   * @param same super-patch indicator [B, N, N] (read only when the superpixel loss is on)
   */
  static NDArray objective(SegclipConfig c, SegclipTrainSettings settings, Params p, NDArray images, NDArray ids,
      NDArray same, Noise noise) {
    NDManager scope = images.getManager();
    int b = (int) images.getShape().get(0);
    int n = c.patches();
    NDArray gumbel = scope.create(noise.gumbel(0, b * c.centers() * n), new Shape(b, c.centers(), n));
    SegclipModel.VisionOutput out = SegclipModel.encodeImage(c, p, images, gumbel);
    NDArray total = scope.zeros(new Shape());
    if (settings.contrastiveWeight() > 0) {
      NDArray text = SegclipModel.encodeText(c, p, ids);
      NDArray img = Norms.l2Normalize(out.tokens().get(":, 0, :")); // [B, E]
      NDArray logits = img.matMul(Norms.l2Normalize(text).transpose()).mul(SegclipModel.logitScale(p, scope)); // [B, B]
      NDArray eye = scope.eye(b);
      NDArray imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
      NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
      NDArray con = Scalars.div(imageToText.add(textToImage), 2f * b);
      total = total.add(Scalars.mul(con, (float) settings.contrastiveWeight()));
    }
    if (settings.superpixelWeight() > 0) {
      NDArray sup = SuperpixelKl.loss(out.hard().transpose(0, 2, 1), same, settings.klNorm());
      total = total.add(Scalars.mul(sup, (float) settings.superpixelWeight()));
    }
    if (settings.reconstructionWeight() > 0) {
      NDArray rec = reconstruction(c, p, images, keptPatches(c, settings.maskRatio()), noise);
      total = total.add(Scalars.mul(rec, (float) settings.reconstructionWeight()));
    }
    return total;
  }

  /** Patches the masked pass keeps: int((N + 1)(1 - ratio)) tokens, the CLS among them, then dropped. */
  static int keptPatches(SegclipConfig c, double maskRatio) {
    return (int) ((c.patches() + 1) * (1 - maskRatio)) - 1;
  }

  /** Superpixels of a source image, computed once (they depend on the image only). */
  private int[] superpixels(int index, float[] rgb, int h, int w) {
    return superpixels.computeIfAbsent(index, k -> {
      double[] fh = settings.superpixelParameters(Math.min(h, w));
      return Felzenszwalb.segment(rgb, h, w, fh[0], fh[1], (int) fh[2]);
    });
  }

  /** L_rec of the masked pass, with per-sample masks from {@code noise}. */
  private static NDArray reconstruction(SegclipConfig c, Params p, NDArray images, int kept, Noise noise) {
    NDManager scope = images.getManager();
    int b = (int) images.getShape().get(0);
    int n = c.patches();
    int tokens = n + 1;
    float[] keep = new float[b * kept * n];
    float[] restore = new float[b * tokens * tokens];
    float[] removed = new float[b * n];
    for (int i = 0; i < b; i++) {
      // random_masking(keep_cls=True): noise per token, the CLS's set to -1; argsort ascending keeps the first.
      double[] u = noise.masking(n);
      Integer[] order = new Integer[tokens];
      for (int t = 0; t < tokens; t++) {
        order[t] = t;
      }
      java.util.Arrays.sort(order, (x, y) -> Double.compare(x == 0 ? -1 : u[x - 1], y == 0 ? -1 : u[y - 1]));
      for (int pos = 0; pos < tokens; pos++) {
        int t = order[pos];
        restore[(i * tokens + t) * tokens + pos] = 1f; // ids_restore[t] = pos
        if (pos >= 1 && pos <= kept) {
          keep[(i * kept + pos - 1) * n + t - 1] = 1f;
        } else if (pos > kept) {
          removed[i * n + t - 1] = 1f;
        }
      }
    }
    NDArray keepSel = scope.create(keep, new Shape(b, kept, n));
    NDArray gumbel = scope.create(noise.gumbel(1, b * c.centers() * kept), new Shape(b, c.centers(), kept));
    NDArray hidden = SegclipModel.maskedHidden(c, p, images, keepSel, gumbel); // [B, K, W]
    NDArray pred = SegclipModel.decode(c, p, hidden, scope.create(restore, new Shape(b, tokens, tokens)));
    NDArray target = patchify(images, c.patchSize()); // [B, N, p*p*3]
    NDArray perPatch = pred.sub(target).square().mean(new int[] {2}); // [B, N]
    NDArray mask = scope.create(removed, new Shape(b, n));
    return Scalars.div(perPatch.mul(mask).sum(), (float) (b * (n - kept)));
  }

  /** MAE's {@code patchify}: [B, 3, H, W] to [B, N, p * p * 3] with the pixels in (row, column, channel) order. */
  static NDArray patchify(NDArray images, int p) {
    long b = images.getShape().get(0);
    long gh = images.getShape().get(2) / p;
    long gw = images.getShape().get(3) / p;
    return images.reshape(b, 3, gh, p, gw, p).transpose(0, 2, 4, 3, 5, 1).reshape(b, gh * gw, (long) p * p * 3);
  }

  @Override
  public Path export(Path directory) {
    Path weights = directory.resolve(WEIGHTS_FILE);
    SegclipWeights.save(model, weights, Map.of("trained", "ovss segclip"));
    tokenizer.writeHuggingFace(directory);
    return weights;
  }
}

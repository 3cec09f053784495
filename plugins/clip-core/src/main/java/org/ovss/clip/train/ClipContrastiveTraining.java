package org.ovss.clip.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * CLIP trained from scratch with the symmetric InfoNCE loss and a learnable temperature (Radford et al.
 * 2021): image and caption embeddings L2-normalised, logits = min(exp(t), 100) x cosine, cross-entropy
 * over the batch in both directions. The checkpoint is a plain OpenAI-named CLIP plus the tokenizer's
 * {@code vocab.json} / {@code merges.txt}, so every CLIP loader and method reads it like real weights.
 */
public final class ClipContrastiveTraining extends CaptionTraining<ClipModel> {
  /**
   * Default share of training images shown without colour (setting {@code greyscale}). Colour words and
   * backgrounds alone tell most captions of a small batch apart; a colour-blind share is meant to make the
   * model learn what the shapes look like. Off by default: on the synthetic benchmark it did not raise
   * zero-shot shape accuracy in 1000 steps (see the issue notes).
   */
  public static final double DEFAULT_GREYSCALE = 0.0;

  /** CLIP clamps the learned temperature so that logits never exceed 100 x cosine. */
  private static final double MAX_LOGIT_SCALE = 100.0;
  /** Added to the logit of a missing hard negative: exp of it is 0 in float32 at any temperature. */
  private static final float NO_NEGATIVE = -1e4f;

  private final int batchSize;
  private double greyscale = DEFAULT_GREYSCALE;
  private boolean groupBatches;
  private final HardNegatives hardNegatives;
  /** Hard negative captions per pair (0: none). */
  private int negativesPerPair;
  private final int[] all;
  private final ParameterStore store;
  /** Indices of the pairs of each group of the source (one group when it has none). */
  private final List<int[]> groups;

  /**
   * @param model a model with initialised parameters (random for training from scratch)
   * @param tokenizer the tokenizer whose ids the text tower embeds
   * @param manager manager owning the model's parameters
   */
  public ClipContrastiveTraining(ClipModel model, ClipTokenizer tokenizer, ImageTextSource data, int batchSize,
      NDManager manager) {
    super(model, model.config().vocabSize(), tokenizer, data, batchSize);
    this.batchSize = batchSize;
    this.store = new ParameterStore(manager, false);
    for (Map.Entry<String, NamedParameter> e : model.stateDict().entrySet()) {
      parameters.put(e.getKey(), e.getValue().parameter().getArray());
    }
    Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
    for (int i = 0; i < data.size(); i++) {
      String g = data.group(i);
      byGroup.computeIfAbsent(g == null ? "" : g, k -> new ArrayList<>()).add(i);
    }
    groups = byGroup.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    all = java.util.stream.IntStream.range(0, data.size()).toArray();
    hardNegatives = new HardNegatives(data.contrastWords());
  }

  /** A tokenizer over the captions' words and a seeded random CLIP of the given shape around it. */
  public static ClipContrastiveTraining fromScratch(ImageTextSource data, Architecture arch, int batchSize, long seed,
      NDManager manager) {
    ClipTokenizer tokenizer = ClipTokenizer.ofWords(BatchSampler.allCaptions(data));
    ClipModel model = new ClipModel(arch.config(tokenizer.vocabSize()));
    model.initializeRandom(manager, seed);
    return new ClipContrastiveTraining(model, tokenizer, data, batchSize, manager);
  }

  /** Model shape knobs of a CLIP trained from scratch; the vocabulary size comes from the tokenizer. */
  public record Architecture(int imageSize, int patch, int width, int layers, int heads, int embed, int textWidth,
      int textLayers, int textHeads, int contextLength) {

    /** Small enough to train on two CPU cores in minutes, large enough to learn the synthetic shapes. */
    public static final Architecture SYNTH = new Architecture(96, 8, 96, 3, 4, 64, 96, 2, 4, 24);

    ClipConfig config(int vocabSize) {
      return new ClipConfig(embed, imageSize, layers, width, heads, patch, contextLength, vocabSize, textWidth, textHeads,
          textLayers);
    }

    /** The keys {@link #from} reads. */
    public static final List<String> KEYS = List.of("arch.image-size", "arch.patch", "arch.width", "arch.layers",
        "arch.heads", "arch.embed", "arch.text-width", "arch.text-layers", "arch.text-heads", "arch.context");

    /** The defaults overridden by {@code arch.*} keys of a training config (e.g. {@code arch.width=128}). */
    public static Architecture from(Map<String, String> config, Architecture defaults) {
      return new Architecture(
          intKey(config, "arch.image-size", defaults.imageSize), intKey(config, "arch.patch", defaults.patch),
          intKey(config, "arch.width", defaults.width), intKey(config, "arch.layers", defaults.layers),
          intKey(config, "arch.heads", defaults.heads), intKey(config, "arch.embed", defaults.embed),
          intKey(config, "arch.text-width", defaults.textWidth), intKey(config, "arch.text-layers", defaults.textLayers),
          intKey(config, "arch.text-heads", defaults.textHeads), intKey(config, "arch.context", defaults.contextLength));
    }
  }

  /** A positive integer setting, or the default ({@link TrainSpec#positiveInt}). */
  public static int intKey(Map<String, String> config, String key, int defaultValue) {
    return TrainSpec.positiveInt(config, key).orElse(defaultValue);
  }

  /**
   * Draws each batch from one group of the source ({@link ImageTextSource#group}) when on. Off by default:
   * on the synthetic benchmark one-background batches stopped the model from learning the backgrounds.
   *
   * @throws InvalidInputException when on and a group holds fewer pairs than a batch (batches hold distinct pairs)
   */
  public ClipContrastiveTraining groupBatches(boolean on) {
    if (on) {
      for (int[] group : groups) {
        if (group.length < batchSize) {
          throw new InvalidInputException("training setting group-batches needs a batch of distinct pairs from every "
              + "group, but group '" + data.group(group[0]) + "' holds " + group.length
              + " pairs, fewer than the batch size " + batchSize);
        }
      }
    }
    this.groupBatches = on;
    return this;
  }

  /**
   * Adds {@code perPair} hard negative captions per pair ({@link HardNegatives}: a class word of its caption swapped
   * for another) to the texts each image is told apart from (0: none, the default). Needs {@link
   * ImageTextSource#contrastWords}.
   */
  public ClipContrastiveTraining hardNegatives(int perPair) {
    if (perPair < 0) {
      throw new InvalidInputException("training setting hard-negatives must be >= 0, got " + perPair);
    }
    if (perPair > 0 && hardNegatives.isEmpty()) {
      throw new InvalidInputException("training setting hard-negatives needs captions whose class words the data "
          + "names; this training data names none");
    }
    this.negativesPerPair = perPair;
    return this;
  }

  /** Sets the share of images converted to grey (0 to 1). */
  public ClipContrastiveTraining greyscale(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new InvalidInputException("training setting greyscale must be in [0, 1], got " + share);
    }
    this.greyscale = share;
    return this;
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Random random = BatchSampler.stepRandom(seed, step);
    int res = model.config().imageResolution();
    int context = model.config().contextLength();
    float[] images = new float[batchSize * 3 * res * res];
    int[] ids = new int[batchSize * context];
    int k = negativesPerPair;
    int[] negativeIds = new int[k * batchSize * context];
    float[] negativeMask = new float[k * batchSize];
    // Its own stream, so that turning hard negatives on leaves the images and captions drawn unchanged.
    Random swaps = new Random(~BatchSampler.stepSeed(seed, step));
    // With group batches, one group per step: what its pairs share (a background, say) cannot be the cue
    // that matches them.
    int[] pool = groupBatches ? groups.get(random.nextInt(groups.size())) : all;
    // Distinct pairs: a pair drawn twice would be a false negative of itself.
    int[] picks = BatchSampler.distinct(random, pool.length, batchSize);
    for (int b = 0; b < batchSize; b++) {
      int i = pool[picks[b]];
      float[] rgb = BatchSampler.squareImage(data, i, res);
      boolean flip = random.nextBoolean();
      boolean grey = random.nextDouble() < greyscale;
      ClipModel.normalizeImage(rgb, images, b * 3 * res * res, res, flip, grey);
      String caption = BatchSampler.caption(random, data, i);
      System.arraycopy(tokenizer.tokenize(caption, context), 0, ids, b * context, context);
      for (int j = 0; j < k; j++) {
        java.util.Optional<String> negative = hardNegatives.swap(caption, swaps);
        int row = j * batchSize + b;
        System.arraycopy(tokenizer.tokenize(negative.orElse(caption), context), 0, negativeIds, row * context, context);
        negativeMask[row] = negative.isPresent() ? 0f : NO_NEGATIVE;
      }
    }
    NDArray imageBatch = scope.create(images, new Shape(batchSize, 3, res, res));
    NDArray idBatch = scope.create(ids, new Shape(batchSize, context));
    NDArray img = Norms.l2Normalize(model.encodeImage(store, imageBatch, true)); // [B, E]
    NDArray txt = Norms.l2Normalize(model.encodeText(store, idBatch, true)); // [B, E]
    // Starting from a scope array keeps the step's intermediates out of the model's manager.
    NDArray scale = scope.zeros(new Shape()).add(model.logitScale().getArray()).exp().clip(0, MAX_LOGIT_SCALE);
    NDArray logits = img.matMul(txt.transpose()).mul(scale); // [B, B]
    NDArray eye = scope.eye(batchSize);
    NDArray imageToText;
    if (k > 0) {
      // Each image against the batch's captions and their K hard negatives each (NegCLIP): [B, (1 + K) B], the
      // truth on the diagonal of the first B columns; a caption without a class word has no negative (masked out).
      NDArray negatives = Norms.l2Normalize(model.encodeText(store,
          scope.create(negativeIds, new Shape(k * batchSize, context)), true));
      NDArray negativeLogits = img.matMul(negatives.transpose()).mul(scale)
          .add(scope.create(negativeMask, new Shape(1, k * batchSize)));
      NDArray both = logits.concat(negativeLogits, 1);
      imageToText = both.logSoftmax(1).mul(eye.concat(scope.zeros(new Shape(batchSize, k * batchSize)), 1)).sum().neg();
    } else {
      imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
    }
    NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
    return Scalars.div(imageToText.add(textToImage), (float) (2.0 * batchSize)); // a float keeps the loss float32
  }


  @Override
  public Path export(Path directory) {
    Path weights = directory.resolve("weights.safetensors");
    ClipWeights.save(model, weights, Map.of("trained", "ovss clip contrastive"));
    tokenizer.writeHuggingFace(directory);
    return weights;
  }
}

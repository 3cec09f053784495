package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Trainable;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.train.BatchSampler;
import org.ovss.nn.Bilinear;

/**
 * PACL training (Mukhoti et al. CVPR 2023, Sections 5 and 6.1,
 * Appendix A.2): a frozen CLIP, a trainable vision
 * embedder ê_v, and the symmetric InfoNCE loss over the patch-aligned compatibility φ̂ of every (image,
 * caption) pair of the batch ({@link Compatibility}).
 *
 * <p>Only ê_v trains: {@link #parameters()} holds its arrays alone, and the CLIP's patch tokens and text
 * embeddings enter the graph through {@code stopGradient}, so no gradient reaches (or is even computed for)
 * the CLIP, which can therefore be shared with an open method.
 *
 * <p>A step, everything random drawn from a generator seeded with (seed, step) so that a resumed run
 * repeats an uninterrupted one: {@code batch-size} distinct pairs, one caption of each at random, each
 * image resized bilinearly to the CLIP's resolution when it differs and normalised with CLIP's mean/std (no
 * augmentation: the paper states none); the CLIP's patch tokens at its native stride; for the NMS05
 * embedder a dropout mask.
 */
final class PaclTraining implements Trainable {
  private final ClipModel clip;
  private final ClipTokenizer tokenizer;
  private final ImageTextSource data;
  private final PaclTrainSettings settings;
  private final PaclConfig config;
  private final Map<String, NDArray> embedder;
  private final PatchTokens patchTokens;
  private final ParameterStore store;
  private final int contextLength;

  /**
   * @param clip the frozen CLIP (never modified)
   * @param embedder the embedder's initial arrays, updated in place by the engine
   * @param manager manager that outlives training (holds nothing per step)
   */
  PaclTraining(ClipModel clip, ClipTokenizer tokenizer, ImageTextSource data, PaclTrainSettings settings,
      PaclConfig config, Map<String, NDArray> embedder, NDManager manager) {
    if (data.size() < settings.batchSize()) {
      throw new InvalidInputException("training needs at least one batch: " + data.size() + " pairs < batch size "
          + settings.batchSize());
    }
    if (tokenizer.vocabSize() > clip.config().vocabSize()) {
      throw new InvalidInputException("tokenizer has " + tokenizer.vocabSize() + " tokens, the CLIP embeds "
          + clip.config().vocabSize());
    }
    this.clip = clip;
    this.tokenizer = tokenizer;
    this.data = data;
    this.settings = settings;
    this.config = config;
    this.embedder = Collections.unmodifiableMap(embedder);
    this.patchTokens = new PatchTokens(clip, manager);
    this.store = new ParameterStore(manager, false);
    this.contextLength = Math.min(settings.contextLength().orElse(clip.config().contextLength()),
        clip.config().contextLength());
  }

  PaclConfig config() {
    return config;
  }

  ClipModel clip() {
    return clip;
  }

  /** The embedder's arrays: the only trainable parameters. */
  @Override
  public Map<String, NDArray> parameters() {
    return embedder;
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Random random = BatchSampler.stepRandom(seed, step);
    int b = settings.batchSize();
    int res = clip.config().imageResolution();
    float[] images = new float[b * 3 * res * res];
    int[] ids = new int[b * contextLength];
    int[] batch = BatchSampler.distinct(random, data.size(), b);
    for (int i = 0; i < b; i++) {
      BatchSampler.Image image = BatchSampler.image(data, batch[i]);
      float[] square = Bilinear.planar(image.rgb(), 3, image.height(), image.width(), res, res);
      ClipModel.normalizeImage(square, images, i * 3 * res * res, res, false, false);
      String caption = BatchSampler.caption(random, data, batch[i]);
      System.arraycopy(tokenizer.tokenize(caption, contextLength), 0, ids, i * contextLength, contextLength);
    }
    NDArray imageBatch = scope.create(images, new Shape(b, 3, res, res));
    NDArray idBatch = scope.create(ids, new Shape(b, contextLength));
    // The frozen encoders: cut from the graph, so that the gradient stops at the embedder.
    boolean lnPost = config.tokens() == PaclConfig.Tokens.LN_POST;
    NDArray tokens = patchTokens.forward(imageBatch, clip.config().patchSize(), lnPost).tokens().stopGradient(); // [B, T, W]
    NDArray text = clip.encodeText(store, idBatch, false).stopGradient(); // [B, E]
    NDArray mask = dropoutMask(scope, random, tokens.getShape());
    NDArray patches = PaclEmbedder.forward(config, embedder, tokens, mask); // [B, T, E]
    NDArray phi = settings.ownPairing()
        ? Compatibility.ownPairing(config, patches, text)
        : Compatibility.pairwise(config, patches, text); // [B, B]
    return Compatibility.infoNce(phi, config.temperature());
  }

  /** Inverted-dropout mask of the NMS05 embedder (entries 0 or 1 / (1 - p)), or null. */
  private NDArray dropoutMask(NDManager scope, Random random, Shape shape) {
    if (config.embedder() != PaclConfig.Embedder.NMS05 || config.dropout() == 0) {
      return null;
    }
    double p = config.dropout();
    float keep = (float) (1 / (1 - p));
    float[] m = new float[(int) shape.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = random.nextDouble() < p ? 0f : keep;
    }
    return scope.create(m, shape);
  }

  /** Writes {@value PaclCheckpoint#WEIGHTS_FILE}, {@value PaclCheckpoint#CONFIG_FILE} and the tokenizer. */
  @Override
  public Path export(Path directory) {
    Path weights = directory.resolve(PaclCheckpoint.WEIGHTS_FILE);
    PaclCheckpoint.save(weights, clip, config, embedder, Map.of("trained", "ovss pacl"));
    tokenizer.writeHuggingFace(directory);
    return weights;
  }
}

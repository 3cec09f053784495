package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.train.BatchSampler;
import org.ovss.clip.train.CaptionTraining;
import org.ovss.nn.Bilinear;

/**
 * CLIPpy's training objective (PAPER 3.1-3.4): symmetric InfoNCE with a learnable temperature between the
 * max-pooled patch tokens of the image and the mean-pooled tokens of its caption, training images at
 * {@code train-image-size} with a random {@code patch-dropout} share of their patch tokens removed.
 *
 * <p>Everything random in a step (the batch of distinct pairs, flips, the caption of each image, the kept
 * tokens) comes from one generator seeded with (seed, step), so a resumed run repeats an uninterrupted
 * one.
 */
public final class ClippyTraining extends CaptionTraining<ClippyModel> {
  private final ClippyTrainSettings settings;

  /**
   * @param model a model whose parameters live in a manager that outlives training
   * @param settings the batch, dropout, resolution and flip settings (the model's own config and
   *     architecture are the model's)
   */
  public ClippyTraining(ClippyModel model, ClipTokenizer tokenizer, ImageTextSource data, ClippyTrainSettings settings) {
    super(model, model.clipConfig().vocabSize(), tokenizer, data, settings.batchSize());
    ClipConfig c = model.clipConfig();
    if (settings.trainImageSize() % c.patchSize() != 0) {
      throw new InvalidInputException("training setting 'train-image-size' (" + settings.trainImageSize()
          + ") must be a multiple of the model's patch size " + c.patchSize());
    }
    this.settings = settings;
    for (Map.Entry<String, NamedParameter> e : model.clip().stateDict().entrySet()) {
      parameters.put(e.getKey(), e.getValue().parameter().getArray());
    }
  }

  /**
   * A new CLIPpy from scratch (the paper starts from DINO and Sentence-T5 weights, which cannot be loaded
   * here): a tokenizer over the captions' words ({@link ClipTokenizer#ofWords}, as the harness's CLIP
   * training) and a seeded random CLIP of the settings' architecture (OpenAI's initialisation, logit
   * scale log(1/0.07)).
   */
  public static ClippyTraining fromScratch(ImageTextSource data, ClippyTrainSettings settings, long seed, NDManager manager) {
    ClipTokenizer tokenizer = ClipTokenizer.ofWords(BatchSampler.allCaptions(data));
    ClipModel clip = new ClipModel(ClippyTrainSettings.clipConfig(settings.arch(), tokenizer.vocabSize()));
    clip.initializeRandom(manager, seed);
    return new ClippyTraining(new ClippyModel(clip, settings.model()), tokenizer, data, settings);
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Batch batch = batch(step, seed);
    int b = settings.batchSize();
    int res = settings.trainImageSize();
    int context = model.clipConfig().contextLength();
    NDArray images = scope.create(batch.images(), new Shape(b, 3, res, res));
    NDArray ids = scope.create(batch.ids(), new Shape(b, context));
    NDArray image = model.imageEmbedding(model.imageTokens(images, batch.keep())); // [B, E]
    NDArray text = model.encodeText(ids); // [B, E]
    return ClippyModel.infoNce(image, text, model.logitScale(scope));
  }

  /** The inputs of one step: normalised images [B, 3, R, R], token ids [B, L], kept patches (or null). */
  record Batch(int[] indices, float[] images, int[] ids, int[][] keep) {}

  /** Draws step {@code step}'s batch from (seed, step). */
  Batch batch(int step, long seed) {
    Random random = BatchSampler.stepRandom(seed, step); // also draws the kept tokens
    int b = settings.batchSize();
    int res = settings.trainImageSize();
    int context = model.clipConfig().contextLength();
    int[] indices = BatchSampler.distinct(random, data.size(), b);
    float[] images = new float[b * 3 * res * res];
    int[] ids = new int[b * context];
    for (int i = 0; i < b; i++) {
      BatchSampler.Image image = BatchSampler.image(data, indices[i]);
      // Images of another size are resized to the square training resolution (aspect not kept).
      float[] square = Bilinear.planar(image.rgb(), 3, image.height(), image.width(), res, res);
      boolean flip = settings.flip() && random.nextBoolean();
      ClipModel.normalizeImage(square, images, i * 3 * res * res, res, flip, false);
      String caption = BatchSampler.caption(random, data, indices[i]);
      System.arraycopy(tokenizer.tokenize(caption, context), 0, ids, i * context, context);
    }
    int patches = (res / model.clipConfig().patchSize()) * (res / model.clipConfig().patchSize());
    int kept = PatchDropout.keptCount(patches, settings.patchDropout());
    int[][] keep = kept == patches ? null : PatchDropout.sample(random, b, patches, kept);
    return new Batch(indices, images, ids, keep);
  }

  @Override
  public Path export(Path directory) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("trained", "ovss clippy");
    extra.put("architecture", model.clipConfig());
    extra.put("batch_size", settings.batchSize());
    extra.put("patch_dropout", settings.patchDropout());
    extra.put("train_image_size", settings.trainImageSize());
    extra.put("flip", settings.flip());
    return ClippyCheckpoint.save(model, tokenizer, directory, extra);
  }
}

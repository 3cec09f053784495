package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.train.BatchSampler;
import org.ovss.clip.train.CaptionTraining;
import org.ovss.clip.train.ClipContrastiveTraining;
import org.ovss.nn.Scalars;

/**
 * SimSeg's pre-training objective (Yi et al. CVPR 2023, Eqs. 4-5; muyangyi/SimSeg@50f3f59
 * {@code CLIPModel.forward} + {@code NCE}):
 * LoDA-pooled, L2-normalised image and caption embeddings, logits = cosine / clamp(tau, 0.001, 0.5) with a
 * learnable temperature tau, cross-entropy over the batch in both directions, {@code L = (L^I + L^T) / 2}. Both
 * towers train end to end, as in the paper. Each step draws its pairs (distinct, as the official sampler's batches
 * of an epoch: a repeated pair would be a false negative of itself), captions and flips from {@code Random(seed,
 * step)} only, so a resumed run repeats an uninterrupted one.
 */
final class SimsegTraining extends CaptionTraining<SimsegModel> {
  private final int batchSize;

  /**
   * @param model the model to optimise, its training k and normalisation in {@link SimsegModel#meta()}
   * @param tokenizer the tokenizer whose ids the text tower embeds
   */
  SimsegTraining(SimsegModel model, ClipTokenizer tokenizer, ImageTextSource data, int batchSize) {
    super(model, model.clip().config().vocabSize(), tokenizer, data, batchSize);
    this.batchSize = batchSize;
    for (Map.Entry<String, NamedParameter> e : model.clip().stateDict().entrySet()) {
      // CLIP's logit scale has no part in SimSeg's loss (the temperature replaces it); it stays as it is.
      if (!e.getKey().equals("logit_scale")) {
        parameters.put(e.getKey(), e.getValue().parameter().getArray());
      }
    }
    parameters.put(SimsegCheckpoint.TEMPERATURE, model.temperature());
  }

  /**
   * A tokenizer over the captions' words ({@code ClipTokenizer.ofWords}, as {@code
   * ClipContrastiveTraining.fromScratch}) and a seeded random CLIP of the settings' architecture around it.
   */
  static SimsegTraining fromScratch(ImageTextSource data, SimsegTrainSettings s, long seed, NDManager manager) {
    ClipTokenizer tokenizer = ClipTokenizer.ofWords(BatchSampler.allCaptions(data));
    ClipContrastiveTraining.Architecture a = s.architecture();
    ClipConfig config = new ClipConfig(a.embed(), a.imageSize(), a.layers(), a.width(), a.heads(), a.patch(),
        a.contextLength(), tokenizer.vocabSize(), a.textWidth(), a.textHeads(), a.textLayers());
    ClipModel clip = new ClipModel(config);
    clip.initializeRandom(manager, seed);
    SimsegModel model = new SimsegModel(clip, manager.create(s.temperatureInit()),
        new SimsegModel.Meta(s.imageK(), s.textK(), s.normalization()), manager);
    return new SimsegTraining(model, tokenizer, data, s.batchSize());
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Random random = BatchSampler.stepRandom(seed, step);
    ClipConfig c = model.clip().config();
    int res = c.imageResolution();
    int context = c.contextLength();
    float[] images = new float[batchSize * 3 * res * res];
    int[] ids = new int[batchSize * context];
    int[] pairs = BatchSampler.distinct(random, data.size(), batchSize);
    for (int b = 0; b < batchSize; b++) {
      int i = pairs[b];
      float[] rgb = BatchSampler.squareImage(data, i, res);
      boolean flip = random.nextBoolean();
      SimsegModel.normalizeImage(rgb, images, b * 3 * res * res, res, model.meta().normalization(), flip);
      String caption = BatchSampler.caption(random, data, i);
      System.arraycopy(tokenizer.tokenize(caption, context), 0, ids, b * context, context);
    }
    NDArray imageBatch = scope.create(images, new Shape(batchSize, 3, res, res));
    NDArray idBatch = scope.create(ids, new Shape(batchSize, context));
    return contrastiveLoss(scope, imageBatch, idBatch);
  }

  /** The symmetric LoDA InfoNCE of a batch of normalised images [B, 3, R, R] and their caption ids [B, L]. */
  NDArray contrastiveLoss(NDManager scope, NDArray images, NDArray ids) {
    SimsegModel.Meta meta = model.meta();
    NDArray img = Loda.imageEmbedding(model.patchTokens(images, true), meta.imageK()); // [B, E]
    NDArray txt = Loda.textEmbedding(model.textTokens(ids, true), TextTokens.poolable(ids), meta.textK()); // [B, E]
    // Starting from a scope array keeps the step's intermediates out of the model's manager.
    NDArray tau = scope.zeros(new Shape()).add(model.temperature())
        .clip(SimsegModel.MIN_TEMPERATURE, SimsegModel.MAX_TEMPERATURE);
    NDArray logits = img.matMul(txt.transpose()).div(tau); // [B, B]
    long b = logits.getShape().get(0);
    NDArray eye = scope.eye((int) b);
    NDArray imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
    NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
    return Scalars.div(imageToText.add(textToImage), (float) (2.0 * b));
  }

  @Override
  public Path export(Path directory) {
    Path weights = SimsegCheckpoint.save(model, directory);
    tokenizer.writeHuggingFace(directory);
    return weights;
  }
}

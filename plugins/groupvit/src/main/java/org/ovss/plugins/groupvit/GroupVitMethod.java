package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.ClassPrompt;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodInfo;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.ScoresWithBackground;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.TrainingEngine;
import org.ovss.clip.method.PromptEncoder;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.tokenizer.LazyTokenizer;
import org.ovss.nn.Scopes;

/**
 * GroupViT as a {@link SegmentationMethod}: the official zero-shot segmentation ({@link GroupVitInference}) of
 * each window, trained with {@link GroupVitTraining}.
 *
 * <p>GroupViT decides each pixel's group at the pixel level (the attention maps are resized to the window
 * before their argmax), so {@link #segment} and {@link #encodeImage} return one value per pixel and {@link
 * #inputSpec()} reports an output stride ({@code patchSize}) of 1; the model's own patch size is in {@link
 * GroupVitConfig#patchSize()}.
 */
public final class GroupVitMethod implements SegmentationMethod, ScoresWithBackground {

  /** Knobs of {@link MethodConfig#options()}. */
  public static final Map<String, String> KNOBS = Map.of(
      "config", "GroupViT model config JSON (default: " + GroupVitConfig.FILE_NAME + ", else config.json, beside the weights)",
      PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward (default " + PromptEncoder.DEFAULT_TEXT_BATCH + ")");

  /** GroupViT's ImageNet normalisation (segmentation configs: mean 123.675/116.28/103.53, std 58.395/57.12/57.375). */
  public static final float[] IMAGENET_MEAN = GroupVitTraining.MEAN.clone();
  public static final float[] IMAGENET_STD = GroupVitTraining.STD.clone();

  /** Size of CLIP's BPE vocabulary, which the official GroupViT text encoder uses. */

  private final MethodInfo info;
  private final MethodConfig config;
  private final NDManager manager;
  private final GroupVitModel model;
  private final int textBatch;
  private final LazyTokenizer tokenizer;

  /** Opens the weights of {@code config}, or nothing when there are none (a method opened to train). */
  public GroupVitMethod(MethodInfo info, MethodConfig config) {
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer");
    this.textBatch = PromptEncoder.textBatch(config);
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    if (config.weights().isPresent()) {
      try {
        Path weights = config.weights().get();
        Optional<Path> configFile = Optional.ofNullable(config.options().get("config")).map(Path::of);
        model = GroupVitCheckpoint.load(weights, GroupVitCheckpoint.config(weights, configFile), manager);
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
    } else {
      model = null; // opened only to train a new model
    }
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  /** The loaded model; a method opened without weights has none. */
  public GroupVitModel model() {
    if (model == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened without weights; pass --weights FILE");
    }
    return model;
  }

  /** The config's image size, output stride 1 (per-pixel logits), ImageNet mean/std. */
  @Override
  public InputSpec inputSpec() {
    return new InputSpec(model().config().imageSize(), 1, IMAGENET_MEAN, IMAGENET_STD);
  }

  /**
   * Text embeddings as the official {@code build_text_embedding}: the projected embeddings of a query's
   * prompts (one per template) are averaged, then L2-normalised. (The harness's default normalises each
   * prompt before averaging; with GroupViT's single template the two agree.)
   */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    GroupVitModel m = model();
    return new PromptEncoder(tokenizer(), m.config().contextLength(), textBatch, PromptEncoder.Averaging.MEAN_THEN_F_NORMALIZE)
        .encode(classes, prompts, manager, ids -> m.projectText(m.encodeText(ids), GroupVitModel.Pass.EVAL)); // [n, D]
  }

  /**
   * Per-pixel features [B, D, H, W]: each pixel carries the projected (not normalised) feature of the final
   * group it is assigned to (argmax of the last attention map), the quantity GroupViT compares with text.
   */
  @Override
  public NDArray encodeImage(NDArray windows) {
    return Scopes.inSubScope(windows, in -> {
      GroupVitInference.Decoded d = GroupVitInference.decode(model(), windows);
      NDArray features = GroupVitInference.gatherByGroup(d.groupOfPixel(), d.groupFeatures()); // [B, D, H, W]
      return features;
    });
  }

  /**
   * GroupViT's seg logits without background, [B, Q, H, W] at the window's pixel size ({@code encode_decode}
   * of a dataset without a background class): the masked group-to-query affinity of each pixel's group. Queries
   * are treated as the official code's classes (the top-5 mask ranks queries).
   */
  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    return Scopes.inSubScope(windows, in -> {
      NDArray logits = GroupVitInference.segLogits(model(), GroupVitInference.decode(model(), windows),
          queries.embeddings());
      return logits;
    });
  }

  /**
   * GroupViT's seg logits with background, [B, 1 + Q, H, W], channel 0 the background ({@code encode_decode} with
   * {@code with_bg}): 1 where a pixel's best query score is below min({@code bgThreshold}, the window's largest
   * group affinity). The official thresholds: VOC 0.95, Context 0.35, COCO-Object 0.95.
   */
  @Override
  public NDArray segmentWithBackground(NDArray windows, QueryEmbeddings queries, double bgThreshold) {
    return Scopes.inSubScope(windows, in -> {
      NDArray logits = GroupVitInference.segLogitsWithBackground(model(), GroupVitInference.decode(model(), windows),
          queries.embeddings(), (float) bgThreshold);
      return logits;
    });
  }

  /**
   * Trains a GroupViT from scratch on the pairs ({@link GroupVitTraining}; settings in {@link
   * GroupVitTraining.Settings}) with the runner's engine and exports weights, config and tokenizer to {@code
   * spec.outputDir()}.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(spec.config());
    try (NDManager trainManager = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(data, settings, spec.seed(), spec.steps(), trainManager);
      return engine.fit(training, settings.engineSpec(spec), listener);
    }
  }

  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> model().config().vocabSize());
  }

  @Override
  public void close() {
    manager.close();
  }
}

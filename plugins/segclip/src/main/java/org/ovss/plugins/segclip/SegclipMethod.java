package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.tokenizer.LazyTokenizer;
import org.ovss.clip.tokenizer.ModelTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Scopes;

/**
 * A loaded SegCLIP: the official segmentation inference on each window, text embeddings as the official
 * evaluation builds them, and training from CLIP weights with the paper's three losses.
 *
 * <p>{@link #segment} returns the no-background logits of {@code encode_decode}: each pixel of the window
 * (default, knob {@code logits-at=pixels}) or each patch ({@code logits-at=patches}) gets the
 * group-class scores P = softmax(top-5 masked) x softmax of the group it is assigned to; the runner's
 * bilinear upsampling leaves a window-sized map unchanged. {@link #segmentWithBackground} adds the
 * official background channel for a threshold.
 */
public final class SegclipMethod implements SegmentationMethod, ScoresWithBackground {

  /** Method options ({@link MethodConfig#options()}). */
  public static final Map<String, String> KNOBS = Map.of(
      "logits-at", "pixels: segment() gives [B, Q, H, W], the official one-hot group map at pixel level (default);"
          + " patches: [B, Q, H/p, W/p] from each patch's group",
      "vision-heads", "attention heads of the image tower (default: weights metadata, else the k/v conv groups)",
      "text-heads", "attention heads of the text tower (default: weights metadata, else width / 64)",
      "decoder-heads", "attention heads of the MAE decoder (default: weights metadata, else 8)",
      PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward (default " + PromptEncoder.DEFAULT_TEXT_BATCH + ")");

  private final MethodInfo info;
  private final MethodConfig config;
  private final NDManager manager;
  private final SegclipModel model;
  private final boolean pixelLogits;
  private final int textBatch;
  private final LazyTokenizer tokenizer;

  /**
   * Opens the method. With SegCLIP weights it can encode, segment and continue training; with plain CLIP
   * weights, or none, it can only train (inference calls then fail with a message saying so).
   */
  public SegclipMethod(MethodInfo info, MethodConfig config) {
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer (or the training setting tokenizer=...)");
    this.textBatch = PromptEncoder.textBatch(config);
    String at = config.option("logits-at", "pixels").strip().toLowerCase(Locale.ROOT);
    if (!at.equals("pixels") && !at.equals("patches")) {
      throw new InvalidInputException("option logits-at must be 'pixels' or 'patches', got '" + at + "'");
    }
    this.pixelLogits = at.equals("pixels");
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    try {
      Optional<Path> weights = config.weights();
      if (weights.isPresent() && SegclipWeights.detect(weights.get()) == SegclipWeights.Kind.SEGCLIP) {
        model = SegclipWeights.load(weights.get(), manager, heads(config));
      } else {
        model = null; // opened to train: from CLIP weights, or from the training setting 'init'
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static SegclipWeights.Heads heads(MethodConfig config) {
    return new SegclipWeights.Heads(config.positiveInt("vision-heads"), config.positiveInt("text-heads"),
        config.positiveInt("decoder-heads"));
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  /** The loaded SegCLIP model. */
  public SegclipModel model() {
    if (model == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened " + (config.weights().isPresent()
          ? "with plain CLIP weights (" + config.weights().get() + "), which only initialise training"
          : "without weights") + "; pass a SegCLIP checkpoint (--weights FILE) to encode or segment");
    }
    return model;
  }

  @Override
  public InputSpec inputSpec() {
    SegclipConfig c = model().config();
    return new InputSpec(c.imageResolution(), c.patchSize(), InputSpec.CLIP_MEAN, InputSpec.CLIP_STD);
  }

  /**
   * Encodes every query with every template as the official evaluation does ({@code
   * seg_segmentation/evaluation/builder.py}): the template embeddings are averaged <em>before</em> the one
   * L2 normalisation. This departs from the {@link SegmentationMethod#encodeText} default (normalise each
   * prompt, average, normalise again); with the single template of the segclip protocol both agree.
   */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    SegclipModel m = model();
    return new PromptEncoder(tokenizer(), m.config().contextLength(), textBatch, PromptEncoder.Averaging.MEAN_THEN_NORMALIZE)
        .encode(classes, prompts, manager, m::encodeText);
  }

  /**
   * Dense features [B, E, H/p, W/p]: each patch gets the joint-space embedding (ln_post + proj, not
   * normalised) of the region it is assigned to, the argmax of the soft assignment.
   */
  @Override
  public NDArray encodeImage(NDArray windows) {
    return Scopes.inSubScope(windows, in -> {
      SegclipModel.VisionOutput out = forward(windows);
      long b = windows.getShape().get(0);
      int p = model().config().patchSize();
      long gh = windows.getShape().get(2) / p;
      long gw = windows.getShape().get(3) / p;
      NDArray regions = out.tokens().get(":, 1:, :"); // [B, L, E]
      NDArray features = SegclipInference.oneHotGroups(out.soft()).matMul(regions); // [B, N, E]
      NDArray result = features.transpose(0, 2, 1).reshape(b, -1, gh, gw); // [B, E, gh, gw]
      return result;
    });
  }

  /**
   * The no-background logits of the official {@code encode_decode} per window: [B, Q, H, W] (or [B, Q,
   * H/p, W/p] with {@code logits-at=patches}); values are products of probabilities, so the runner's
   * logit scale should be 1.
   */
  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    return segment(windows, queries, null);
  }

  /**
   * The with-background logits of the official {@code encode_decode} ({@code seg_logits} of a dataset
   * whose class 0 is background): [B, 1 + Q, H, W] (or at patch level), channel 0 being 1 where a
   * position's best score is below min(threshold, the window's largest group-class score).
   *
   * @param threshold the dataset's {@code bg_thresh} (segclip protocol: VOC 0.80, Context 0.25, COCO-Object 0.65)
   */
  @Override
  public NDArray segmentWithBackground(NDArray windows, QueryEmbeddings queries, double threshold) {
    if (!(threshold >= 0)) {
      throw new InvalidInputException("background threshold must be a non-negative number, got " + threshold);
    }
    return segment(windows, queries, threshold);
  }

  private NDArray segment(NDArray windows, QueryEmbeddings queries, Double threshold) {
    NDManager caller = windows.getManager();
    try (NDManager scope = caller.newSubManager()) {
      windows.tempAttach(scope);
      SegclipModel.VisionOutput out = forward(windows);
      int p = model().config().patchSize();
      int h = (int) windows.getShape().get(2);
      int w = (int) windows.getShape().get(3);
      int gh = h / p;
      int gw = w / p;
      long b = windows.getShape().get(0);
      NDArray text = queries.embeddings().toType(DataType.FLOAT32, true); // a copy the scope frees
      text.attach(scope);
      NDArray affinity = SegclipInference.groupAffinity(out.tokens(), text,
          SegclipModel.logitScale(model().params(), scope)); // [B, L, Q]
      NDArray maps = pixelLogits
          ? SegclipInference.attentionMaps(out.soft(), gh, gw, h, w) // [B, L, H, W]
          : out.soft().reshape(b, -1, gh, gw); // [B, L, gh, gw]
      NDArray logits = SegclipInference.logits(maps, affinity);
      if (threshold != null) {
        logits = SegclipInference.withBackground(logits, affinity, threshold);
      }
      logits.attach(caller);
      return logits;
    }
  }

  private SegclipModel.VisionOutput forward(NDArray windows) {
    if (windows.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("windows must be float32, got " + windows.getDataType());
    }
    return model().encodeImage(windows);
  }

  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> model().config().vocabSize());
  }

  /**
   * Trains SegCLIP with the runner's engine and writes {@code segclip.safetensors}, {@code
   * segclip-config.json} and the tokenizer ({@code vocab.json}, {@code merges.txt}) into the output
   * directory. The starting point is {@link MethodConfig#weights()}, else the setting {@code init}: plain
   * CLIP weights (OpenAI or Hugging Face names, as {@code ClipWeights} reads them; the new parts are
   * initialised from the seed) or a SegCLIP checkpoint (training continues). Settings: {@link
   * SegclipTrainSettings#KEYS}; optimiser settings go to the engine.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    SegclipTrainSettings settings = SegclipTrainSettings.of(spec.config());
    Path init = config.weights().or(settings::init).orElseThrow(() -> new InvalidInputException(
        "segclip trains from CLIP weights (the paper initialises from CLIP ViT-B/16): pass --weights CLIP_FILE or the "
            + "training setting init=CLIP_FILE (OpenAI/Hugging Face CLIP safetensors or an OpenAI .pt), or a SegCLIP "
            + "checkpoint to continue training"));
    try (NDManager trainManager = NDManager.newBaseManager()) {
      SegclipModel start = initialModel(init, settings, spec.seed(), trainManager);
      ClipTokenizer tok = ModelTokenizer.resolve(settings.tokenizer().or(config::tokenizer), init,
          start.config().vocabSize(), "--tokenizer (or the training setting tokenizer=...)");
      SegclipTraining training = new SegclipTraining(start, tok, data, settings, trainManager);
      return engine.fit(training, SegclipTrainSettings.engineSpec(spec), listener);
    }
  }

  /** The model training starts from: built on CLIP weights, or a SegCLIP checkpoint to continue. */
  SegclipModel initialModel(Path init, SegclipTrainSettings settings, long seed, NDManager target) {
    if (SegclipWeights.detect(init) == SegclipWeights.Kind.SEGCLIP) {
      return SegclipWeights.load(init, target, heads(config));
    }
    try (NDManager tmp = NDManager.newBaseManager()) {
      ClipModel clip = ClipWeights.load(init, tmp,
          new ClipWeights.Heads(config.positiveInt("vision-heads"), config.positiveInt("text-heads")));
      int layers = clip.config().visionLayers();
      int first = settings.firstStageLayers().orElse(Math.max(1, layers - 2));
      int decoderDim = settings.reconstructionWeight() > 0 ? settings.decoderDim().orElse(clip.config().visionWidth() / 2) : 0;
      SegclipWeights.Init spec = new SegclipWeights.Init(first, settings.centers(), settings.crossLayers(), decoderDim,
          decoderDim > 0 ? settings.decoderDepth() : 0, settings.decoderHeads());
      return SegclipWeights.fromClip(clip, spec, seed, target);
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}

package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
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
import org.ovss.nn.Bilinear;
import org.ovss.nn.Norms;
import org.ovss.nn.Scopes;

/**
 * A loaded PACL (Mukhoti et al. Open Vocabulary Semantic Segmentation with Patch Aligned Contrastive Learning.
 * CVPR 2023, arXiv:2212.04994): a frozen CLIP and a trained vision embedder.
 *
 * <p>Inference (paper Section 5 "Inference", Section 6.1, Appendix A.2.2, A.3): the CLIP's patch tokens at
 * a reduced patch-embedding stride ({@code stride}, default 4 px, the paper's "stride trick"; {@link
 * PatchTokens}) go through ê_v; each class query's map is the cosine between the embedded patches and the
 * query's text embedding (the prompt-ensemble mean, {@link #encodeText}). The runner then upsamples,
 * scales and takes the softmax over classes and the argmax; on datasets with a background class and a
 * protocol background threshold it calls {@link #segmentWithBackground}, which applies the paper's
 * entropy rule ({@link EntropyBackground}).
 *
 * <p>Opened with plain CLIP weights (what {@code trainsFrom("clip")} hands over) the method can only
 * train; inference then fails with a message saying so.
 */
public final class PaclMethod implements SegmentationMethod, ScoresWithBackground {

  /** Default patch-embedding stride at inference, in pixels: the paper's 4 x 4 (Section 6.1). */
  static final int DEFAULT_STRIDE = 4;

  /** Method options ({@link MethodConfig#options()}). */
  public static final Map<String, String> KNOBS = knobs();

  private static Map<String, String> knobs() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("stride", "patch-embedding stride at inference in pixels, 1..patch size, or 'native' (the patch size)"
        + " [4, the paper's stride trick; at most the patch size]");
    k.put("class-logit-scale", "scale of the cosines before the softmax over classes whose entropy decides background"
        + " [1 / the training temperature stored in the checkpoint]");
    k.put("vision-heads", "attention heads of the image tower (default: weights metadata, else width/64)");
    k.put("text-heads", "attention heads of the text tower (default as vision-heads)");
    k.put(PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward (default " + PromptEncoder.DEFAULT_TEXT_BATCH + ")");
    return Collections.unmodifiableMap(k);
  }

  private final MethodInfo info;
  private final MethodConfig config;
  private final NDManager manager;
  private final ParameterStore store;
  private final int textBatch;
  private final OptionalDouble classLogitScale;
  private final ClipModel clip;
  private final PaclCheckpoint.Loaded pacl;
  private final PatchTokens patchTokens;
  private final int stride;
  private final LazyTokenizer tokenizer;

  /**
   * Opens the method on a PACL checkpoint (inference and further training) or plain CLIP weights
   * (training only).
   *
   * @throws InvalidInputException for unknown or invalid options and unreadable weights
   */
  public PaclMethod(MethodInfo info, MethodConfig config) {
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer");
    Set<String> unknown = new TreeSet<>(config.options().keySet());
    unknown.removeAll(KNOBS.keySet());
    if (!unknown.isEmpty()) {
      throw new InvalidInputException("unknown pacl option(s) " + unknown + "; known: " + String.join(", ", KNOBS.keySet()));
    }
    this.textBatch = PromptEncoder.textBatch(config);
    this.classLogitScale = positiveOption(config, "class-logit-scale");
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    store = new ParameterStore(manager, false);
    try {
      ClipWeights.Heads heads = new ClipWeights.Heads(config.positiveInt("vision-heads"), config.positiveInt("text-heads"));
      Optional<Path> weights = config.weights();
      if (weights.isPresent() && PaclCheckpoint.isPacl(weights.get())) {
        pacl = PaclCheckpoint.load(weights.get(), manager, heads);
        clip = pacl.clip();
      } else {
        pacl = null;
        clip = weights.isPresent() ? ClipWeights.load(weights.get(), manager, heads) : null;
      }
      patchTokens = clip == null ? null : new PatchTokens(clip, manager);
      stride = clip == null ? DEFAULT_STRIDE : stride(config, clip.config().patchSize());
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static int stride(MethodConfig config, int patch) {
    String v = config.options().get("stride");
    if (v == null) {
      return Math.min(DEFAULT_STRIDE, patch);
    }
    if (v.strip().equalsIgnoreCase("native")) {
      return patch;
    }
    int s = config.positiveInt("stride").getAsInt();
    if (s > patch) {
      throw new InvalidInputException("option stride must be at most the CLIP's patch size " + patch + ", got " + s);
    }
    return s;
  }

  private static OptionalDouble positiveOption(MethodConfig config, String name) {
    String v = config.options().get(name);
    if (v == null) {
      return OptionalDouble.empty();
    }
    try {
      double d = Double.parseDouble(v.strip());
      if (!(d > 0 && Double.isFinite(d))) {
        throw new NumberFormatException();
      }
      return OptionalDouble.of(d);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("option " + name + " must be a positive number, got '" + v + "'");
    }
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  private ClipModel clip() {
    if (clip == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened without weights; pass a PACL checkpoint"
          + " (--weights DIR/" + PaclCheckpoint.WEIGHTS_FILE + ")");
    }
    return clip;
  }

  private PaclCheckpoint.Loaded pacl() {
    if (pacl == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened " + (config.weights().isPresent()
          ? "with plain CLIP weights (" + config.weights().get() + "), which only start training"
          : "without weights") + "; train it first (ovss train --method pacl --weights CLIP_FILE) and pass the"
          + " PACL checkpoint (--weights DIR/" + PaclCheckpoint.WEIGHTS_FILE + ") to encode or segment");
    }
    return pacl;
  }

  /** The PACL configuration of the loaded checkpoint. */
  PaclConfig paclConfig() {
    return pacl().config();
  }

  /** The patch-embedding stride used at inference. */
  int stride() {
    return stride;
  }

  /** The CLIP's resolution; the patch size is the inference stride, the size of one cell of the dense grid. */
  @Override
  public InputSpec inputSpec() {
    return new InputSpec(clip().config().imageResolution(), stride, InputSpec.CLIP_MEAN, InputSpec.CLIP_STD);
  }

  /**
   * CLIP's text embeddings e_t(f_t(y)) of every query with every template: each prompt embedding
   * L2-normalised, the mean over the templates normalised again (Appendix A.2.2: the paper
   * averages the 7 prompts of its appendix, prompt set {@code pacl-7}; the normalisations are CLIP's
   * notebook, which the paper follows).
   */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    ClipModel m = clip();
    return new PromptEncoder(tokenizer(), m.config().contextLength(), textBatch, PromptEncoder.Averaging.NORMALIZED_PROMPTS)
        .encode(classes, prompts, manager, ids -> m.encodeText(store, ids, false));
  }

  /** The embedded patches ê_v(f̂_v(x)) [B, E, H/s, W/s] at the inference stride s, not normalised. */
  @Override
  public NDArray encodeImage(NDArray windows) {
    return Scopes.inSubScope(windows, in -> {
      PatchTokens.Grid g = embedded(windows);
      long b = g.tokens().getShape().get(0);
      NDArray features = g.tokens().transpose(0, 2, 1).reshape(b, -1, g.height(), g.width()); // [B, E, gh, gw]
      return features;
    });
  }

  /**
   * Per-query maps [B, Q, H/s, W/s]: the cosine between each embedded patch and each query embedding, the
   * paper's s(x, y_c) per class (Eq. 2 read as a cosine; with a dot-product checkpoint the cosine differs
   * from the dot product only by a positive factor per patch, which leaves the argmax unchanged). The
   * runner applies its logit scale and the softmax over classes.
   */
  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    return Scopes.inSubScope(windows, in -> {
      NDArray maps = maps(windows, queries);
      return maps;
    });
  }

  /**
   * Scores [B, 1 + Q, H, W] at window resolution with the paper's entropy background (Appendix A.3): the
   * cosine maps upsampled bilinearly to the window (align_corners False, as the runner upsamples), a
   * softmax over the queries of {@code class-logit-scale} x cosine, and channel 0 = max probability +
   * (entropy - threshold), which wins exactly where the entropy of the class distribution exceeds {@code
   * threshold} nats ({@link EntropyBackground}).
   *
   * @param queries the foreground queries only
   * @param threshold the entropy threshold in nats (the protocol's {@code bgThreshold}; paper 1.5)
   */
  @Override
  public NDArray segmentWithBackground(NDArray windows, QueryEmbeddings queries, double threshold) {
    if (!(threshold >= 0 && Double.isFinite(threshold))) {
      throw new InvalidInputException("pacl's background threshold is an entropy in nats and must be a non-negative"
          + " number, got " + threshold);
    }
    return Scopes.inSubScope(windows, in -> {
      int h = (int) windows.getShape().get(2);
      int w = (int) windows.getShape().get(3);
      NDArray up = Bilinear.resize(maps(windows, queries), h, w, false); // [B, Q, H, W]
      NDArray scores = EntropyBackground.scores(up, queries.queryClass(), queries.classCount(), classLogitScale(),
          threshold);
      return scores;
    });
  }

  /** The class logit scale of the entropy rule: the option, else 1 / the checkpoint's training temperature. */
  double classLogitScale() {
    return classLogitScale.orElse(1 / pacl().config().temperature());
  }

  /** Cosine maps [B, Q, gh, gw] in the windows' manager. */
  private NDArray maps(NDArray windows, QueryEmbeddings queries) {
    PatchTokens.Grid g = embedded(windows);
    long b = g.tokens().getShape().get(0);
    NDArray text = queries.embeddings().transpose(); // [E, Q], a new array of the queries' manager
    text.attach(windows.getManager()); // freed with the call's scope
    NDArray cos = Norms.l2Normalize(g.tokens()).matMul(text); // [B, gh*gw, Q]
    return cos.transpose(0, 2, 1).reshape(b, queries.queryCount(), g.height(), g.width()); // [B, Q, gh, gw]
  }

  /** Embedded patch tokens [B, gh*gw, E] at the inference stride. */
  private PatchTokens.Grid embedded(NDArray windows) {
    PaclCheckpoint.Loaded p = pacl();
    boolean lnPost = p.config().tokens() == PaclConfig.Tokens.LN_POST;
    PatchTokens.Grid g = patchTokens.forward(windows, stride, lnPost);
    return new PatchTokens.Grid(PaclEmbedder.forward(p.config(), p.embedder(), g.tokens(), null), g.height(), g.width());
  }

  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> clip().config().vocabSize());
  }

  /**
   * Trains the embedder on the frozen CLIP with the runner's engine and writes {@value
   * PaclCheckpoint#WEIGHTS_FILE} (CLIP + embedder + configuration), {@value PaclCheckpoint#CONFIG_FILE} and
   * the tokenizer into {@code spec.outputDir()}. The CLIP is {@link MethodConfig#weights()}: plain CLIP
   * weights (any format clip-core reads; the embedder is initialised from the seed) or a PACL checkpoint
   * (its CLIP and embedder, training continues; its configuration stands, so settings that shape the model
   * are refused). Settings: {@link PaclTrainSettings#KEYS}; optimiser settings go to the engine.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    PaclTrainSettings settings = PaclTrainSettings.of(spec.config());
    if (config.weights().isEmpty()) {
      throw new InvalidInputException("pacl trains its embedder on a frozen CLIP: pass the CLIP checkpoint as weights"
          + " (ovss train --method pacl --weights CLIP_FILE; the demo passes the trained 'clip' checkpoint)");
    }
    ClipModel m = clip();
    try (NDManager trainManager = NDManager.newBaseManager()) {
      PaclConfig c;
      Map<String, NDArray> embedder = new LinkedHashMap<>();
      if (pacl != null) {
        Set<String> shaping = new TreeSet<>(spec.config().keySet());
        shaping.retainAll(Set.of("embedder", "embedder-hidden", "dropout", "patch-tokens", "patch-similarity",
            "patch-weighting", "patch-temperature", "temperature"));
        if (!shaping.isEmpty()) {
          throw new InvalidInputException("training continues the PACL checkpoint " + config.weights().get()
              + ", whose configuration fixes " + shaping + ": remove these settings or train from plain CLIP weights");
        }
        c = pacl.config();
        // copies, so that training leaves this instance's embedder as loaded
        pacl.embedder().forEach((name, a) -> {
          NDArray copy = a.duplicate();
          copy.attach(trainManager);
          embedder.put(name, copy);
        });
      } else {
        c = settings.modelConfig(m.config().embedDim(), clipTemperature(m));
        embedder.putAll(PaclEmbedder.initialize(c, m.config().visionWidth(), m.config().embedDim(),
            spec.seed() ^ 0x50AC1E3B5L, trainManager));
      }
      ClipTokenizer tok = ModelTokenizer.resolve(config.tokenizer(), config.weights().get(), m.config().vocabSize(), "--tokenizer");
      PaclTraining training = new PaclTraining(m, tok, data, settings, c, embedder, trainManager);
      return engine.fit(training, spec, listener);
    }
  }

  /** 1 / min(exp(logit_scale), 100): CLIP's own temperature, the default InfoNCE temperature. */
  static double clipTemperature(ClipModel clip) {
    double scale = Math.min(Math.exp(clip.logitScale().getArray().getFloat()), 100.0);
    if (!(scale > 0 && Double.isFinite(scale))) {
      throw new InvalidInputException("the CLIP's logit_scale gives no usable temperature (exp = " + scale
          + "): set the training setting temperature");
    }
    return 1 / scale;
  }

  @Override
  public void close() {
    manager.close();
  }
}

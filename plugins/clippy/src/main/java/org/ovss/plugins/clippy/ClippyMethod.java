package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.TrainingEngine;
import org.ovss.clip.method.PromptEncoder;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.tokenizer.LazyTokenizer;
import org.ovss.clip.tokenizer.ModelTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Norms;
import org.ovss.nn.Scopes;

/**
 * A loaded CLIPpy: per-token zero-shot segmentation (PAPER 3.5: the cosine between each final-layer
 * patch token and each query's text embedding, argmax over queries), dense features for the bottom-up
 * grouping ({@link BottomUpGrouping}), and training from scratch ({@link ClippyTraining}).
 */
public final class ClippyMethod implements SegmentationMethod {

  /** Method options ({@link MethodConfig#options()}). */
  public static final Map<String, String> KNOBS = knobs();

  private static Map<String, String> knobs() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("synonyms", "max: one query per synonym, the runner takes the best (harness default); mean: the synonyms'"
        + " embeddings of a class averaged into one query (PAPER App. I) [max]");
    k.put("vision-heads", "attention heads of the image tower [weights metadata, else width/64]");
    k.put("text-heads", "attention heads of the text tower [weights metadata, else width/64]");
    k.put(PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward [" + PromptEncoder.DEFAULT_TEXT_BATCH + "]");
    return java.util.Collections.unmodifiableMap(k);
  }

  private final MethodInfo info;
  private final MethodConfig config;
  private final NDManager manager;
  private final ClippyModel model;
  private final boolean meanSynonyms;
  private final int textBatch;
  private final LazyTokenizer tokenizer;

  /**
   * Opens the method on CLIPpy (or plain CLIP) weights; without weights it can only train (inference
   * calls then fail with a message saying so).
   */
  public ClippyMethod(MethodInfo info, MethodConfig config) {
    Set<String> unknown = new TreeSet<>(config.options().keySet());
    unknown.removeAll(KNOBS.keySet());
    if (!unknown.isEmpty()) {
      throw new InvalidInputException("unknown clippy option(s) " + unknown + "; known: " + String.join(", ", KNOBS.keySet()));
    }
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer");
    this.textBatch = PromptEncoder.textBatch(config);
    String synonyms = config.option("synonyms", "max").strip().toLowerCase(Locale.ROOT);
    if (!synonyms.equals("max") && !synonyms.equals("mean")) {
      throw new InvalidInputException("option synonyms must be 'max' or 'mean', got '" + synonyms + "'");
    }
    this.meanSynonyms = synonyms.equals("mean");
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    try {
      model = config.weights().isPresent() ? ClippyCheckpoint.load(config.weights().get(), manager, heads(config)) : null;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static ClipWeights.Heads heads(MethodConfig config) {
    return new ClipWeights.Heads(config.positiveInt("vision-heads"), config.positiveInt("text-heads"));
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  /** The loaded model. */
  public ClippyModel model() {
    if (model == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened without weights, which only allows"
          + " training; pass a CLIPpy checkpoint (--weights DIR/" + ClippyCheckpoint.WEIGHTS_FILE + ") to encode or segment");
    }
    return model;
  }

  @Override
  public InputSpec inputSpec() {
    return new InputSpec(model().clipConfig().imageResolution(), model().clipConfig().patchSize(), InputSpec.CLIP_MEAN,
        InputSpec.CLIP_STD);
  }

  /**
   * Each prompt embedding (mean-pooled text tokens) L2-normalised, averaged over the templates and
   * normalised again (the harness default). With {@code synonyms=mean} the queries of a class are then
   * averaged and normalised into one query per class, as PAPER App. I averages a label's comma-separated
   * prompts; otherwise every synonym stays a query and the runner takes the best.
   */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    ClippyModel m = model();
    QueryEmbeddings perQuery = new PromptEncoder(tokenizer(), m.clipConfig().contextLength(), textBatch,
        PromptEncoder.Averaging.NORMALIZED_PROMPTS).encode(classes, prompts, manager, m::encodeText); // [Q, E]
    if (!meanSynonyms) {
      return perQuery;
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray queries = perQuery.embeddings();
      queries.attach(scope); // replaced by the per-class means below
      List<NDArray> rows = new ArrayList<>();
      int first = 0;
      for (ClassPrompt cp : classes) {
        int n = cp.queries().size();
        rows.add(queries.get(first + ":" + (first + n)).mean(new int[] {0}));
        first += n;
      }
      NDArray result = Norms.l2Normalize(NDArrays.stack(new NDList(rows))); // [C, E]
      int[] resultClass = new int[classes.size()];
      for (int c = 0; c < resultClass.length; c++) {
        resultClass[c] = c;
      }
      result.attach(manager);
      return new QueryEmbeddings(result, resultClass, classes.size());
    }
  }

  /** Dense features [B, E, H/p, W/p]: the patch tokens after ln_post and proj, not normalised. */
  @Override
  public NDArray encodeImage(NDArray windows) {
    return Scopes.inSubScope(windows, in -> {
      NDArray result = model().denseFeatures(checked(windows));
      return result;
    });
  }

  /**
   * Cosine logits [B, Q, H/p, W/p]: each L2-normalised patch token against each (normalised) query. The
   * unofficial code upsamples the normalised features bilinearly before the dot product; since the dot
   * product with a fixed text vector is linear, that equals the runner's bilinear upsampling of these
   * logits, and the argmax the paper takes is unaffected by the runner's logit scale.
   */
  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    NDManager caller = windows.getManager();
    try (NDManager scope = caller.newSubManager()) {
      windows.tempAttach(scope);
      NDArray features = model().denseFeatures(checked(windows)); // [B, E, gh, gw]
      Shape s = features.getShape();
      NDArray tokens = Norms.l2Normalize(features.reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1)); // [B, N, E]
      NDArray text = queries.embeddings().toType(DataType.FLOAT32, true); // a copy the scope frees
      text.attach(scope);
      if (text.getShape().get(1) != s.get(1)) {
        throw new InvalidInputException("query embeddings have " + text.getShape().get(1) + " dimensions, the model's"
            + " image embeddings " + s.get(1));
      }
      NDArray logits = tokens.matMul(text.transpose()) // [B, N, Q]
          .transpose(0, 2, 1).reshape(s.get(0), text.getShape().get(0), s.get(2), s.get(3)); // [B, Q, gh, gw]
      logits.attach(caller);
      return logits;
    }
  }

  private static NDArray checked(NDArray windows) {
    if (windows.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("windows must be float32, got " + windows.getDataType());
    }
    return windows;
  }

  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> model().clipConfig().vocabSize());
  }

  /**
   * Trains CLIPpy with the runner's engine and writes {@code clippy.safetensors}, {@code clippy-config.json}
   * and the tokenizer into the output directory. Without weights the model starts from scratch (seeded
   * random CLIP of the {@code arch.*} settings, tokenizer over the captions' words); with weights (a CLIPpy
   * checkpoint or plain CLIP weights and their tokenizer) training continues from them, their architecture
   * kept. Settings: {@link ClippyTrainSettings#KEYS}; optimiser settings go to the engine.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    ClippyTrainSettings settings = ClippyTrainSettings.of(spec.config());
    try (NDManager trainManager = NDManager.newBaseManager()) {
      ClippyTraining training;
      if (config.weights().isPresent()) {
        Set<String> arch = new TreeSet<>(spec.config().keySet());
        arch.retainAll(ClippyTrainSettings.ARCH_KEYS);
        if (!arch.isEmpty()) {
          throw new InvalidInputException("training settings " + arch + " shape a new model, but training continues from "
              + config.weights().get() + ", whose architecture is fixed: drop them or train without --weights");
        }
        Path weights = config.weights().get();
        ClippyModel start = ClippyCheckpoint.load(weights, trainManager, heads(config));
        // Pooling settings given for this run override the checkpoint's (e.g. a plain CLIP turned into CLIPpy).
        ClippyModel model = new ClippyModel(start.clip(), mergedConfig(spec.config(), settings, start.config()));
        ClipTokenizer tok = ModelTokenizer.resolve(config.tokenizer(), weights, model.clipConfig().vocabSize(), "--tokenizer");
        training = new ClippyTraining(model, tok, data, withSize(settings, spec.config(), model));
      } else {
        training = ClippyTraining.fromScratch(data, settings, spec.seed(), trainManager);
      }
      return engine.fit(training, spec, listener);
    }
  }

  /** The checkpoint's config with the pooling keys given explicitly in {@code raw} taken from {@code settings}. */
  private static ClippyConfig mergedConfig(Map<String, String> raw, ClippyTrainSettings settings, ClippyConfig saved) {
    return new ClippyConfig(
        raw.containsKey("image-pool") ? settings.model().imagePool() : saved.imagePool(),
        raw.containsKey("text-pool") ? settings.model().textPool() : saved.textPool(),
        raw.containsKey("text-attention") ? settings.model().textAttention() : saved.textAttention());
  }

  /** The settings with the training size defaulting to the loaded model's resolution. */
  private static ClippyTrainSettings withSize(ClippyTrainSettings s, Map<String, String> raw, ClippyModel model) {
    int size = raw.containsKey("train-image-size") ? s.trainImageSize() : model.clipConfig().imageResolution();
    return new ClippyTrainSettings(s.arch(), s.batchSize(), s.patchDropout(), size, s.model(), s.flip());
  }

  @Override
  public void close() {
    manager.close();
  }
}

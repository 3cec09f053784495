package org.ovss.clip.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ovss.api.Capability;
import org.ovss.api.ClassPrompt;
import org.ovss.api.Execution;
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
import org.ovss.api.UnsupportedCapabilityException;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.onnx.OnnxCache;
import org.ovss.clip.onnx.OnnxClipTowers;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.tokenizer.LazyTokenizer;
import org.ovss.clip.train.ClipContrastiveTraining;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Norms;
import org.ovss.nn.Scopes;
import org.ovss.nn.SettingsReader;

/**
 * A training-free dense method on a CLIP ViT: patch tokens of a modified last block, compared with text
 * queries by cosine similarity. {@code clip}, {@code maskclip} and {@code sclip} differ only in the
 * last block's {@link AttentionMode}. The encoders run on PyTorch, or on ONNX Runtime when the configuration's
 * {@link Execution} asks ({@link OnnxClipTowers}).
 */
public class ClipDenseMethod implements SegmentationMethod {

  /** Knobs every CLIP-based method accepts. */
  public static final Map<String, String> KNOBS = Map.of(
      "vision-heads", "attention heads of the image tower (default: weights metadata, config.json, else width/64)",
      "text-heads", "attention heads of the text tower (default as vision-heads)",
      PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward (default " + PromptEncoder.DEFAULT_TEXT_BATCH
          + ": a block's activations at 256 prompts take over 2 GB)");

  /** Size of CLIP's BPE vocabulary: 2 x 256 byte tokens, 48894 merges, start and end of text. */

  private final MethodInfo info;
  private final AttentionMode lastBlock;
  private final NDManager manager;
  private final ClipModel model;
  private final ParameterStore parameters;
  private final MethodConfig config;
  private final int textBatch;
  private final OnnxClipTowers onnx;
  private final LazyTokenizer tokenizer;

  public ClipDenseMethod(MethodInfo info, MethodConfig config, AttentionMode lastBlock) {
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer");
    this.lastBlock = lastBlock;
    this.textBatch = PromptEncoder.textBatch(config);
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    parameters = new ParameterStore(manager, false);
    if (config.weights().isPresent()) {
      try {
        model = ClipWeights.load(config.weights().get(), manager,
            new ClipWeights.Heads(config.positiveInt("vision-heads"), config.positiveInt("text-heads")));
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
    } else if (!info.has(Capability.TRAIN)) {
      manager.close();
      throw new InvalidInputException("method '" + info.id() + "' needs a weights file (--weights FILE)");
    } else {
      model = null; // opened only to train a new model
    }
    onnx = model != null && config.execution().engine() == Execution.Engine.ONNXRUNTIME
        ? new OnnxClipTowers(model, config.execution(), OnnxCache.fromEnvironment())
        : null;
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  /** The loaded model; a method opened without weights has none until it is reopened on its checkpoint. */
  public ClipModel model() {
    if (model == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened without weights; pass --weights FILE");
    }
    return model;
  }

  @Override
  public InputSpec inputSpec() {
    return new InputSpec(model().config().imageResolution(), model().config().patchSize(), InputSpec.CLIP_MEAN, InputSpec.CLIP_STD);
  }

  /** Each prompt normalised, mean over templates, normalised again (SCLIP clip_segmentor.py). */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    ClipModel m = model();
    return new PromptEncoder(tokenizer(), m.config().contextLength(), textBatch, PromptEncoder.Averaging.NORMALIZED_PROMPTS)
        .encode(classes, prompts, manager, ids -> onnx != null ? onnx.text(ids) : m.encodeText(parameters, ids, false));
  }

  @Override
  public NDArray encodeImage(NDArray windows) {
    return Scopes.inSubScope(windows, in -> {
      NDArray features = denseFeatures(windows); // [B, D, h, w]
      return features;
    });
  }

  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    return Scopes.inSubScope(windows, in -> {
      NDArray tokens = patchTokens(windows); // [B, h*w, D]
      long b = tokens.getShape().get(0);
      int p = model().config().patchSize();
      long h = windows.getShape().get(2) / p;
      long w = windows.getShape().get(3) / p;
      NDArray text = queries.embeddings().transpose(); // [D, Q], a new array of the queries' long-lived manager
      text.attach(windows.getManager()); // freed with this call, not at close (a soak test saw one leaked per batch)
      NDArray logits = Norms.l2Normalize(tokens).matMul(text); // [B, h*w, Q]
      NDArray out = logits.transpose(0, 2, 1).reshape(b, queries.queryCount(), h, w); // [B, Q, h, w]
      return out;
    });
  }

  /** Dense features [B, D, h, w] from the patch tokens. */
  private NDArray denseFeatures(NDArray windows) {
    NDArray tokens = patchTokens(windows); // [B, h*w, D]
    int p = model().config().patchSize();
    long b = tokens.getShape().get(0);
    long d = tokens.getShape().get(2);
    return tokens.transpose(0, 2, 1).reshape(b, d, windows.getShape().get(2) / p, windows.getShape().get(3) / p);
  }

  /** ln_post + proj of the patch tokens with the method's last block, CLS dropped: [B, h*w, D]. */
  private NDArray patchTokens(NDArray windows) {
    if (windows.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("windows must be float32, got " + windows.getDataType());
    }
    NDArray tokens = onnx != null
        ? onnx.imageTokens(windows, lastBlock)
        : model().visual().forwardTokens(parameters, windows, lastBlock, false);
    return tokens.get(":, 1:, :");
  }


  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> model().config().vocabSize());
  }

  /**
   * Trains a CLIP from scratch on the captions (symmetric InfoNCE, learnable temperature) with a tokenizer
   * built from their words. Settings: {@code batch-size} (default 64), {@code greyscale} (share of
   * colour-less images, default 0), {@code group-batches} (batches from one background, default false),
   * {@code hard-negatives} (NegCLIP-style captions with a class word swapped, per pair, default 0) and the {@code arch.*} keys of
   * {@link ClipContrastiveTraining.Architecture}; optimiser settings go to the engine, and any other key is refused.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    if (!info.has(Capability.TRAIN)) {
      throw new UnsupportedCapabilityException(info.id(), Capability.TRAIN);
    }
    List<String> keys = new ArrayList<>(List.of("batch-size", "greyscale", "group-batches", "hard-negatives"));
    keys.addAll(ClipContrastiveTraining.Architecture.KEYS);
    TrainSpec.requireKnownKeys(info.id(), spec.config(), keys);
    ClipContrastiveTraining.Architecture arch =
        ClipContrastiveTraining.Architecture.from(spec.config(), ClipContrastiveTraining.Architecture.SYNTH);
    int batch = ClipContrastiveTraining.intKey(spec.config(), "batch-size", 64);
    SettingsReader settings = SettingsReader.training(spec.config());
    try (NDManager trainManager = NDManager.newBaseManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, arch, batch, spec.seed(), trainManager)
          .greyscale(settings.number("greyscale", ClipContrastiveTraining.DEFAULT_GREYSCALE, 0, 1, true))
          .groupBatches(settings.flag("group-batches", false))
          .hardNegatives(settings.whole("hard-negatives", 0, 0));
      return engine.fit(training, spec, listener);
    }
  }


  @Override
  public void close() {
    if (onnx != null) {
      onnx.close();
    }
    manager.close();
  }
}

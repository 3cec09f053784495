package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ovss.api.ClassPrompt;
import org.ovss.api.ImageContext;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodInfo;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.ScoresWithBackground;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.TrainingEngine;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.clip.method.PromptEncoder;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.tokenizer.LazyTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Norms;
import org.ovss.nn.Scopes;

/**
 * SimSeg with LoDA (Yi et al. A Simple Framework for Text-Supervised Semantic Segmentation. CVPR 2023) on
 * clip-core's CLIP towers.
 *
 * <ul>
 *   <li>{@link #encodeText}: each prompt's caption tokens pooled with LoDA at {@code text-k} (1: the per-channel
 *       maximum), normalised, averaged over the templates and normalised again (official {@code
 *       zero_shot_classifier}).
 *   <li>{@link #encodeImage}: the patch tokens [B, E, h, w] (ln_post + proj, not normalised).
 *   <li>{@link #segment}: cosine of the normalised patch tokens with the queries [B, Q, h, w], the coarse
 *       masks, for datasets without background.
 *   <li>{@link #segmentWithBackground}: the official evaluation (tools/seg_evaluation.py): image-level LoDA
 *       class scores, candidates above mu + coefficient x sigma of the top scores, per candidate the cosine
 *       map upsampled (nearest), min-max normalised, refined by a 2-label DenseCRF and closed 7x7, masks
 *       stacked by score, the rest background.
 * </ul>
 */
public final class SimsegMethod implements SegmentationMethod, ScoresWithBackground {
  private static final String CRF_ID = "densecrf";

  private final MethodInfo info;
  private final MethodConfig config;
  private final SimsegOptions options;
  private final NDManager manager;
  private final SimsegModel model;
  private final PostProcessor crf;
  private final LazyTokenizer tokenizer;

  SimsegMethod(MethodInfo info, MethodConfig config) {
    this.info = info;
    this.config = config;
    this.tokenizer = new LazyTokenizer(config, info.id(), "--tokenizer");
    this.options = SimsegOptions.of(config.options());
    manager = NDManager.newBaseManager(config.execution().djlDevice());
    try {
      if (config.weights().isPresent()) {
        model = SimsegCheckpoint.load(config.weights().get(), manager, heads());
        crf = options.crf() ? denseCrf(options.crfParameters()) : null;
      } else {
        model = null; // opened to train a new model
        crf = null;
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private ClipWeights.Heads heads() {
    return new ClipWeights.Heads(options.visionHeads(), options.textHeads());
  }

  /**
   * The {@code densecrf} post-processor found through the harness's plugin registry (plugins/postprocess, a runtime
   * dependency of this plugin), configured with SimSeg's kernels unless {@code crf.*} options say otherwise.
   */
  static PostProcessor denseCrf(Map<String, String> parameters) {
    List<String> seen = new ArrayList<>();
    for (PostProcessorProvider p : PluginRegistry.get().all(PostProcessorProvider.class)) {
      if (p.id().equals(CRF_ID)) {
        return p.create(parameters);
      }
      seen.add(p.id());
    }
    throw new InvalidInputException("simseg refines each class map with the '" + CRF_ID + "' post-processor, but none is on"
        + " the classpath (post-processors found: " + new TreeSet<>(seen) + "); add the org.ovss:postprocess module or open"
        + " the method with -o crf=off");
  }

  @Override
  public MethodInfo info() {
    return info;
  }

  private SimsegModel model() {
    if (model == null) {
      throw new InvalidInputException("method '" + info.id() + "' was opened without weights; pass --weights FILE");
    }
    return model;
  }

  /** The method's input: the model's native resolution and patch, the normalisation it was trained with. */
  @Override
  public InputSpec inputSpec() {
    SimsegModel m = model();
    SimsegModel.Normalization n = m.meta().normalization();
    return new InputSpec(m.clip().config().imageResolution(), m.clip().config().patchSize(), n.mean(), n.std());
  }

  private int imageK() {
    return options.imageK().orElse(model().meta().imageK());
  }

  /**
   * Each prompt's caption tokens pooled with LoDA at {@code text-k} ({@link Loda#maskedTopKMean}, which {@link
   * PromptEncoder} normalises into {@link Loda#textEmbedding}), averaged over the templates and normalised again.
   */
  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    SimsegModel m = model();
    return new PromptEncoder(tokenizer(), m.clip().config().contextLength(), options.textBatch(),
        PromptEncoder.Averaging.NORMALIZED_PROMPTS)
        .encode(classes, prompts, manager,
            ids -> Loda.maskedTopKMean(m.textTokens(ids, false), TextTokens.poolable(ids), options.textK())); // [n, E]
  }

  @Override
  public NDArray encodeImage(NDArray windows) {
    checkWindows(windows);
    return Scopes.inSubScope(windows, in -> {
      NDArray tokens = model().patchTokens(windows, false); // [B, h*w, E]
      int[] grid = grid(windows);
      long b = tokens.getShape().get(0);
      NDArray features = tokens.transpose(0, 2, 1).reshape(b, tokens.getShape().get(2), grid[0], grid[1]); // [B, E, h, w]
      return features;
    });
  }

  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    checkWindows(windows);
    NDManager caller = windows.getManager();
    try (NDManager scope = caller.newSubManager()) {
      windows.tempAttach(scope);
      NDArray tokens = model().patchTokens(windows, false); // [B, h*w, E]
      int[] grid = grid(windows);
      long b = tokens.getShape().get(0);
      NDArray cosine = Norms.l2Normalize(tokens).matMul(transposed(queries, scope)); // [B, h*w, Q]
      NDArray out = cosine.transpose(0, 2, 1).reshape(b, queries.queryCount(), grid[0], grid[1]); // [B, Q, h, w]
      out.attach(caller);
      return out;
    }
  }

  /**
   * SimSeg's label map as scores [B, 1 + Q, H, W] at window resolution (see {@link SimsegInference#stack}).
   *
   * @param threshold the coefficient of sigma in the candidate threshold mu + coefficient x sigma (the
   *     protocol's {@code bgThreshold}; the official 1.0)
   */
  @Override
  public NDArray segmentWithBackground(NDArray windows, QueryEmbeddings queries, double threshold) {
    checkWindows(windows);
    if (!Double.isFinite(threshold)) {
      throw new InvalidInputException("simseg's threshold coefficient must be finite, got " + threshold);
    }
    int b = (int) windows.getShape().get(0);
    int h = (int) windows.getShape().get(2);
    int w = (int) windows.getShape().get(3);
    int n = h * w;
    int qCount = queries.queryCount();
    int[] grid = grid(windows);
    int cells = grid[0] * grid[1];
    float[] scores;
    float[] maps;
    NDManager caller = windows.getManager();
    try (NDManager scope = caller.newSubManager()) {
      windows.tempAttach(scope);
      NDArray tokens = model().patchTokens(windows, false); // [B, h*w, E]
      NDArray q = transposed(queries, scope); // [E, Q]
      scores = Loda.imageEmbedding(tokens, imageK()).matMul(q).toFloatArray(); // [B, Q]
      maps = Norms.l2Normalize(tokens).matMul(q).transpose(0, 2, 1).toFloatArray(); // [B, Q, h*w]
    }
    float[] pixels = windows.toFloatArray();
    float[] out = new float[b * (1 + qCount) * n];
    int[] queryClass = queries.queryClass();
    int top = SimsegInference.topCount(options.topClasses(), queries.classCount());
    for (int i = 0; i < b; i++) {
      SimsegInference.ClassScores cs = SimsegInference.classScores(scores, i * qCount, queryClass, queries.classCount());
      double t = SimsegInference.threshold(cs.score(), top, threshold);
      int[] candidates = SimsegInference.candidates(cs.score(), t, options.candidates());
      boolean[][] masks = new boolean[candidates.length][];
      float[] rgb = null;
      float[] normalized = null;
      for (int k = 0; k < candidates.length; k++) {
        int query = cs.bestQuery()[candidates[k]];
        float[] grid2d = new float[cells];
        System.arraycopy(maps, (i * qCount + query) * cells, grid2d, 0, cells);
        float[] p = SimsegInference.minMax(SimsegInference.nearest(grid2d, grid[0], grid[1], h, w));
        if (rgb == null) {
          normalized = new float[3 * n];
          System.arraycopy(pixels, i * 3 * n, normalized, 0, 3 * n);
          rgb = rgb255(normalized);
        }
        masks[k] = SimsegInference.closing(binaryMask(p, h, w, rgb, normalized), h, w, options.closing());
      }
      SimsegInference.stack(out, i * (1 + qCount) * n, qCount, n, candidates, cs, masks);
    }
    return caller.create(out, new Shape(b, 1 + qCount, h, w));
  }

  /** The queries as [E, Q], an array of {@code scope} (not of the embeddings' manager, which lives on). */
  private static NDArray transposed(QueryEmbeddings queries, NDManager scope) {
    NDArray t = queries.embeddings().transpose();
    t.attach(scope);
    return t;
  }

  /**
   * The 2-label DenseCRF of the official {@code dense_crf}: probabilities [1 - p, p], unary -log(prob + 1e-8)
   * (the densecrf post-processor builds it so), mean field, then label 1 where its marginal is larger (argmax,
   * ties to 0). With {@code crf=off} the mask is p > 0.5, which is the same rule after 0 iterations.
   */
  private boolean[] binaryMask(float[] p, int h, int w, float[] rgb, float[] normalized) {
    if (crf == null) {
      return binaryMask(null, p, h, w, null);
    }
    synchronized (crf) {
      return binaryMask(crf, p, h, w, new ImageContext(h, w, rgb, normalized));
    }
  }

  /**
   * @param crf the post-processor, or null for the p > 0.5 rule
   * @param p the class map in [0, 1], [h, w] row-major
   * @param image the window (RGB on the 0-255 scale), or null without CRF
   */
  static boolean[] binaryMask(PostProcessor crf, float[] p, int h, int w, ImageContext image) {
    int n = h * w;
    float[] prob = new float[2 * n];
    for (int i = 0; i < n; i++) {
      prob[i] = 1f - p[i];
      prob[n + i] = p[i];
    }
    float[] q = crf == null ? prob : crf.refine(prob, 2, h, w, image);
    boolean[] mask = new boolean[n];
    for (int i = 0; i < n; i++) {
      mask[i] = q[n + i] > q[i];
    }
    return mask;
  }

  /**
   * The window as the official code hands it to the CRF: un-normalised with the method's mean/std, times 255,
   * cut to uint8 ({@code .type(torch.uint8)} truncates; values are clamped to [0, 255] first).
   */
  private float[] rgb255(float[] normalized) {
    InputSpec spec = inputSpec();
    return rgb255(normalized, spec.mean(), spec.std());
  }

  /** Planar [3, n] normalised values back to 0-255 integers (as floats) with {@code mean} / {@code std}. */
  static float[] rgb255(float[] normalized, float[] mean, float[] std) {
    int n = normalized.length / 3;
    float[] rgb = new float[normalized.length];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < n; i++) {
        float v = (normalized[c * n + i] * std[c] + mean[c]) * 255f;
        rgb[c * n + i] = (float) Math.floor(Math.max(0f, Math.min(255f, v)));
      }
    }
    return rgb;
  }

  private void checkWindows(NDArray windows) {
    Shape s = windows.getShape();
    if (windows.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("windows must be float32, got " + windows.getDataType());
    }
    int p = model().clip().config().patchSize();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) < p || s.get(3) < p) {
      throw new InvalidInputException("windows must be [B, 3, H, W] with H and W at least the patch size " + p + ", got " + s);
    }
  }

  /** The patch grid of a window: the ViT ignores the rows and columns past the last whole patch. */
  private int[] grid(NDArray windows) {
    int p = model().clip().config().patchSize();
    return new int[] {(int) (windows.getShape().get(2) / p), (int) (windows.getShape().get(3) / p)};
  }

  /**
   * Trains SimSeg with LoDA (see {@link SimsegTraining}); settings in {@link SimsegTrainSettings}. Opened
   * without weights it trains from scratch with a tokenizer over the captions' words; opened with weights (a
   * SimSeg or CLIP checkpoint, {@code ovss train --weights}) it continues from them with their tokenizer.
   */
  @Override
  public TrainResult train(TrainSpec spec, ImageTextSource data, TrainingEngine engine, TrainListener listener) {
    SimsegTrainSettings s = SimsegTrainSettings.of(spec.config());
    try (NDManager trainManager = NDManager.newBaseManager()) {
      SimsegTraining training;
      if (config.weights().isPresent()) {
        for (String key : spec.config().keySet()) {
          if (key.startsWith("arch.")) {
            throw new InvalidInputException("training setting " + key + " shapes a model trained from scratch; the method was"
                + " opened with weights " + config.weights().get() + ", whose shape is fixed");
          }
        }
        SimsegModel loaded = SimsegCheckpoint.load(config.weights().get(), trainManager, heads());
        SimsegModel start = new SimsegModel(loaded.clip(), loaded.temperature(),
            new SimsegModel.Meta(s.imageK(), s.textK(), s.normalization()), trainManager);
        training = new SimsegTraining(start, tokenizer(), data, s.batchSize());
      } else {
        training = SimsegTraining.fromScratch(data, s, spec.seed(), trainManager);
      }
      return engine.fit(training, spec, listener);
    }
  }

  private ClipTokenizer tokenizer() {
    return tokenizer.get(() -> model().clip().config().vocabSize());
  }

  @Override
  public void close() {
    manager.close();
  }
}

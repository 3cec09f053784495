package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import org.ovss.api.ClassPrompt;
import org.ovss.api.FeatureMetric;
import org.ovss.api.ImageContext;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.ScoresWithBackground;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.UnknownNameException;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.LabelMaps;
import org.ovss.datasets.Sample;
import org.ovss.runner.image.CvResize;
import org.ovss.runner.image.ImageFiles;
import org.ovss.runner.image.Preprocess;
import org.ovss.runner.image.Resize;
import org.ovss.runner.image.RgbImage;
import org.ovss.runner.metrics.IoUAccumulator;
import org.ovss.runner.metrics.SegmentationMetrics;
import org.ovss.runner.protocol.Protocol;
import org.ovss.runner.protocol.Protocols;

/**
 * Runs one method on one dataset split under one resolved protocol, streaming: one image in flight,
 * metrics accumulated as histograms, predictions written as they are made.
 */
public final class Evaluator {
  /** ImageNet mean/std of the GroupViT/TCL configs (notes/anchors.md 1.2). */
  private static final InputSpec IMAGENET = new InputSpec(224, 16,
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  private final SegmentationMethod method;
  private final DatasetSpec spec;
  private final DatasetIndex index;
  private final Protocols.Resolved resolved;
  private final Path predictionsDir;
  private final int windowBatch;
  private EvalCheckpoint checkpoint = EvalCheckpoint.NONE;
  private StageTimer timer = StageTimer.NONE;
  private boolean prefetch = true;
  private QueryCache queryCache = new QueryCache();

  public Evaluator(SegmentationMethod method, DatasetSpec spec, DatasetIndex index, Protocols.Resolved resolved,
      Path predictionsDir, int windowBatch) {
    this.method = method;
    this.spec = spec;
    this.index = index;
    this.resolved = resolved;
    this.predictionsDir = predictionsDir;
    this.windowBatch = windowBatch;
    Protocol p = resolved.protocol();
    if (!spec.hasBackground() && (p.probThreshold() > 0 || p.bgThreshold() != null)) {
      // SCLIP issue #2: a probability threshold on a dataset without a background class ruins the score.
      throw new InvalidInputException("protocol " + p.name() + " sets a background threshold, but dataset " + spec.name()
          + " has no background class: set --prob-thd 0 and --bg-threshold off");
    }
    if (!ownBackground() && p.bgThreshold() != null && p.bgThreshold() > 1) {
      throw new InvalidInputException("bgThreshold " + p.bgThreshold() + " of protocol " + p.name() + " is a probability"
          + " for method " + method.info().id() + " (it has no background rule of its own): it must be in [0, 1]");
    }
    if (ownBackground() && (p.pamr() != null || p.crf() != null || p.areaThreshold() != null || p.probThreshold() > 0)) {
      throw new InvalidInputException("method " + method.info().id() + " decides background with its own rule under a"
          + " background threshold; PAMR, DenseCRF, the area threshold and the probability threshold do not apply to"
          + " its scores: turn them off in protocol " + p.name());
    }
    if (p.slide() && p.crop() < method.inputSpec().patchSize()) {
      throw new InvalidInputException("crop " + p.crop() + " is smaller than the patch size " + method.inputSpec().patchSize());
    }
  }

  /** Resumes from and saves to {@code c} (the default, {@link EvalCheckpoint#NONE}, evaluates every image). */
  public Evaluator checkpoint(EvalCheckpoint c) {
    this.checkpoint = c;
    return this;
  }

  /** Where per-stage times go ({@code ovss bench}); none by default. */
  public Evaluator timer(StageTimer stageTimer) {
    this.timer = stageTimer;
    return this;
  }

  /** Whether the next image is loaded on a background thread while the current one is encoded (default on). */
  public Evaluator prefetch(boolean on) {
    this.prefetch = on;
    return this;
  }

  /** Text embeddings shared with other evaluations of the same opened method. */
  public Evaluator queryCache(QueryCache cache) {
    this.queryCache = cache;
    return this;
  }

  /** Evaluates every sample not already covered by the checkpoint; progress goes to {@code console}. */
  public EvalResults run(PrintStream console, String weightsPath, String weightsSha256) {
    Protocol p = resolved.protocol();
    List<ClassPrompt> classes = "alt".equals(p.classNames()) ? spec.altClasses() : spec.classes();
    InputSpec norm = switch (p.normalization()) {
      case "imagenet" -> IMAGENET;
      case "clip" -> new InputSpec(224, 16, InputSpec.CLIP_MEAN, InputSpec.CLIP_STD);
      default -> method.inputSpec();
    };
    PostProcessor pamr = p.pamr() == null ? null : postProcessor("pamr", p.pamr());
    PostProcessor crf = p.crf() == null ? null : postProcessor("densecrf", p.crf());
    IoUAccumulator metric = new IoUAccumulator(spec.classCount(), spec.ignoreIndex());
    Map<String, FeatureMetric.Accumulator> featureMetrics = new LinkedHashMap<>();
    for (FeatureMetric fm : featureMetrics(p)) {
      featureMetrics.put(fm.id(), fm.start());
    }
    long started = System.nanoTime();
    Instant startedAt = Instant.now();
    // A method with its own background rule scores the foreground classes only; channel 0 is its background.
    boolean ownBackground = ownBackground();
    List<ClassPrompt> queried = ownBackground ? classes.subList(1, classes.size()) : classes;
    QueryEmbeddings queries = timer.time(Stage.TEXT,
        () -> queryCache.get(queried, p.prompts(), () -> method.encodeText(queried, PromptSet.named(p.prompts()))));
    ProgressBar bar = new ProgressBar(console, "eval " + method.info().id() + " on " + spec.name(), index.size());
    int done = checkpoint.resume(metric, featureMetrics);
    try (Prefetcher<Sample, Loaded> samples = new Prefetcher<>(index.samples().subList(done, index.size()), s -> load(s, norm), prefetch)) {
      while (samples.hasNext()) {
        Loaded loaded = samples.next();
        long imageStart = System.nanoTime();
        Sample sample = loaded.sample();
        Prediction pred = ownBackground ? predictWithBackground(loaded, queries) : predict(loaded, queries, pamr, crf);
        long metricStart = System.nanoTime();
        metric.add(pred.labels(), loaded.label());
        timer.record(Stage.METRIC, System.nanoTime() - metricStart);
        timer.record(Stage.IMAGE, System.nanoTime() - imageStart);
        if (!featureMetrics.isEmpty()) {
          addFeatureMetrics(sample, norm, loaded.label(), pred.height(), pred.width(), featureMetrics.values());
        }
        if (predictionsDir != null) {
          LabelMaps.writePalettePng(
              predictionsDir.resolve(sample.id() + ".png"), pred.labels(), pred.height(), pred.width(), spec.palette());
        }
        done++;
        checkpoint.imageDone(done, metric, featureMetrics);
        bar.update(done, String.format("mIoU %.2f", metric.result().mIoU()));
      }
    }
    double wall = (System.nanoTime() - started) / 1e9;
    Map<String, Double> extra = new LinkedHashMap<>();
    featureMetrics.forEach((id, acc) -> extra.put(id, acc.result()));
    return results(metric.result(), extra, classes, weightsPath, weightsSha256, startedAt, wall);
  }

  /** The protocol's feature metrics, found among the {@link FeatureMetric} plugins. */
  private static List<FeatureMetric> featureMetrics(Protocol p) {
    List<FeatureMetric> found = new ArrayList<>();
    if (p.featureMetrics() == null) {
      return found;
    }
    List<String> ids = new ArrayList<>();
    List<FeatureMetric> all = new ArrayList<>();
    ServiceLoader.load(FeatureMetric.class).forEach(m -> {
      all.add(m);
      ids.add(m.id());
    });
    for (String id : p.featureMetrics()) {
      FeatureMetric m = all.stream().filter(f -> f.id().equals(id)).findFirst()
          .orElseThrow(() -> new UnknownNameException("feature metric", id, ids));
      found.add(m);
    }
    return found;
  }

  /** The method's dense features of the whole image (the protocol's resize) against the label map. */
  private void addFeatureMetrics(Sample sample, InputSpec norm, int[] label, int h, int w,
      Iterable<FeatureMetric.Accumulator> metrics) {
    Protocol p = resolved.protocol();
    RgbImage rgb = ImageFiles.read(sample.image());
    int[] size = CvResize.rescaleSize(rgb.height(), rgb.width(), p.longSide(), p.shortSide());
    float[] normalized = Preprocess.normalize(CvResize.linear(rgb, size[0], size[1]), norm);
    try (NDManager scope = NDManager.newBaseManager()) {
      NDArray features = method.encodeImage(scope.create(normalized, new Shape(1, 3, size[0], size[1]))); // [1, D, h, w]
      Shape s = features.getShape();
      float[] values = features.toFloatArray();
      int background = spec.hasBackground() ? 0 : -1;
      for (FeatureMetric.Accumulator m : metrics) {
        m.add(values, (int) s.get(1), (int) s.get(2), (int) s.get(3), label, h, w, spec.ignoreIndex(), background);
      }
    }
  }

  /** A label map at the image's original size. */
  private record Prediction(int[] labels, int height, int width) {}

  /**
   * One sample ready for the forward: the decoded image, its normalised resize and its label map, all plain Java
   * arrays (built on the prefetch thread).
   */
  private record Loaded(Sample sample, RgbImage rgb, int[] size, float[] normalized, int[] label) {}

  private Loaded load(Sample sample, InputSpec norm) {
    long start = System.nanoTime();
    Protocol p = resolved.protocol();
    RgbImage rgb = ImageFiles.read(sample.image());
    int[] size = CvResize.rescaleSize(rgb.height(), rgb.width(), p.longSide(), p.shortSide());
    float[] normalized = Preprocess.normalize(CvResize.linear(rgb, size[0], size[1]), norm);
    int[] label = LabelMaps.read(sample.label(), spec, rgb.height(), rgb.width());
    timer.record(Stage.LOAD, System.nanoTime() - start);
    return new Loaded(sample, rgb, size, normalized, label);
  }

  /**
   * Slide (or whole-image) inference resized to the original size, timed as {@link Stage#ENCODE} (the
   * segmenter's forwards) and {@link Stage#AGGREGATE} (everything else).
   *
   * @return scores [channels, H, W] in {@code scope}
   */
  private NDArray scores(NDManager scope, Loaded loaded, UnaryOperator<NDArray> segmenter, int channels) {
    Protocol p = resolved.protocol();
    long start = System.nanoTime();
    long[] encode = {0};
    UnaryOperator<NDArray> timed = windows -> {
      long t = System.nanoTime();
      NDArray out = segmenter.apply(windows);
      encode[0] += System.nanoTime() - t;
      return out;
    };
    NDArray image = scope.create(loaded.normalized(), new Shape(1, 3, loaded.size()[0], loaded.size()[1]));
    NDArray out = SlideInference.run(timed, channels, image, p.slide() ? p.crop() : 0, p.stride(), windowBatch,
        loaded.rgb().height(), loaded.rgb().width()); // [channels, H, W] at the original size
    timer.record(Stage.ENCODE, encode[0]);
    timer.record(Stage.AGGREGATE, System.nanoTime() - start - encode[0]);
    return out;
  }

  private Prediction predict(Loaded loaded, QueryEmbeddings queries, PostProcessor pamr, PostProcessor crf) {
    Protocol p = resolved.protocol();
    RgbImage rgb = loaded.rgb();
    int h = rgb.height();
    int w = rgb.width();
    int[] size = loaded.size();
    try (NDManager scope = NDManager.newBaseManager()) {
      NDArray logits = scores(scope, loaded, windows -> method.segment(windows, queries), queries.queryCount());
      long start = System.nanoTime();
      ImageContext context = null;
      if (pamr != null || crf != null) {
        // SCLIP refines with the normalised input resized back to the original size.
        float[] back = Resize.bilinear(loaded.normalized(), 3, size[0], size[1], h, w);
        context = new ImageContext(h, w, rgb.pixels(), back);
      }
      if (pamr != null) {
        int q = (int) logits.getShape().get(0);
        logits = scope.create(pamr.refine(logits.toFloatArray(), q, h, w, context), new Shape(q, h, w));
      }
      double threshold = Math.max(p.probThreshold(), p.bgThreshold() == null ? 0 : p.bgThreshold());
      if (crf == null && p.areaThreshold() == null && threshold <= 0 && p.logitScale() > 0) {
        Prediction pred = new Prediction(ClassScores.topQueryClass(logits, queries.queryClass()), h, w);
        timer.record(Stage.POSTPROCESS, System.nanoTime() - start);
        return pred;
      }
      NDArray probs = ClassScores.classProbabilities(logits, p.logitScale(), queries.queryClass(), queries.classCount());
      if (crf != null) {
        int c = queries.classCount();
        probs = scope.create(crf.refine(probs.toFloatArray(), c, h, w, context), new Shape(c, h, w));
      }
      if (p.areaThreshold() != null) {
        probs = ClassScores.applyAreaThreshold(probs, p.areaThreshold());
      }
      Prediction pred = new Prediction(ClassScores.labels(probs, threshold), h, w);
      timer.record(Stage.POSTPROCESS, System.nanoTime() - start);
      return pred;
    }
  }

  /**
   * Whether the method's own background rule decides background (a {@link ScoresWithBackground} method on a
   * dataset with background, under a protocol with a background threshold).
   */
  private boolean ownBackground() {
    Protocol p = resolved.protocol();
    return method instanceof ScoresWithBackground && spec.hasBackground() && p.bgThreshold() != null;
  }

  /**
   * GroupViT / SegCLIP {@code encode_decode} with background, window by window, averaged, resized and
   * argmaxed: channel 0 is class 0 (background), channel 1 + q the class of query q plus one (synonyms by
   * max). Logit scale, probability and area thresholds and post-processing do not apply to these scores.
   */
  private Prediction predictWithBackground(Loaded loaded, QueryEmbeddings queries) {
    Protocol p = resolved.protocol();
    ScoresWithBackground scorer = (ScoresWithBackground) method;
    try (NDManager scope = NDManager.newBaseManager()) {
      NDArray scores = scores(scope, loaded, windows -> scorer.segmentWithBackground(windows, queries, p.bgThreshold()),
          1 + queries.queryCount()); // [1 + Q, H, W]
      long start = System.nanoTime();
      int[] channelClass = new int[1 + queries.queryCount()];
      for (int q = 0; q < queries.queryCount(); q++) {
        channelClass[1 + q] = 1 + queries.queryClass()[q];
      }
      NDArray classScores = ClassScores.maxPerClass(scores, channelClass, 1 + queries.classCount());
      Prediction pred = new Prediction(ClassScores.labels(classScores, 0), loaded.rgb().height(), loaded.rgb().width());
      timer.record(Stage.POSTPROCESS, System.nanoTime() - start);
      return pred;
    }
  }

  private static PostProcessor postProcessor(String id, Map<String, String> params) {
    List<String> ids = new ArrayList<>();
    for (PostProcessorProvider provider : ServiceLoader.load(PostProcessorProvider.class)) {
      if (provider.id().equals(id)) {
        return provider.create(params);
      }
      ids.add(provider.id());
    }
    throw new UnknownNameException("post-processor", id, ids);
  }

  private EvalResults results(SegmentationMetrics m, Map<String, Double> extra, List<ClassPrompt> classes,
      String weights, String weightsSha256, Instant startedAt, double wall) {
    List<EvalResults.ClassResult> rows = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      rows.add(new EvalResults.ClassResult(classes.get(c).name(), finite(m.classIoU()[c]), finite(m.classAcc()[c])));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mIoU", finite(m.mIoU()));
    metrics.put("mAcc", finite(m.mAcc()));
    metrics.put("aAcc", finite(m.aAcc()));
    extra.forEach((id, v) -> metrics.put(id, finite(v)));
    Map<String, Object> provenance = Provenance.describe();
    provenance.put("startedAt", startedAt.toString());
    provenance.put("wallSeconds", wall);
    provenance.put("imagesPerSecond", m.images() / Math.max(wall, 1e-9));
    Object protocol;
    try {
      protocol = new ObjectMapper().readValue(resolved.canonicalJson(), Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return new EvalResults("ovss-results/1", method.info().id(), method.info().displayName(), weights, weightsSha256,
        spec.name(), spec.contentHash(), index.splitHash(), m.images(), protocol, resolved.hash(), metrics, rows, provenance);
  }

  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }
}

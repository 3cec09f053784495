package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
import org.ovss.api.plugins.PluginRegistry;
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
  private boolean crossImage;
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

  /**
   * Whether consecutive images of the same resized size that each fit in one window share forwards, up to the window
   * batch and six 224 x 224 windows' worth of pixels (default off: every forward holds the windows of one image). Off
   * by default because a batch's composition can change a score's last bit, and models with hard assignments or
   * near-tied classes then change labels: GroupViT trained 100 steps on the synthetic benchmark scored 5.63 mIoU on
   * 200 synth-shapes images alone and 6.62 in batches of 16. PACL was also slower in batches (21.7 s vs 11.5 s).
   */
  public Evaluator crossImageBatches(boolean on) {
    this.crossImage = on;
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
    try (Prefetcher<Sample, Loaded> samples = new Prefetcher<>(index.samples().subList(done, index.size()),
        s -> load(s, norm), prefetch, Math.max(1, Math.min(4, windowBatch)))) {
      Loaded pending = null;
      while (pending != null || samples.hasNext()) {
        List<Loaded> group = new ArrayList<>();
        group.add(pending != null ? pending : samples.next());
        pending = null;
        // Only small single-window images share forwards: batches of more than one image's windows were slower per
        // window with ViT-B/16 at 224 (12 windows: 2.6 s per image against 1.9 s for 6; 24: 3.6 s), while small whole
        // images gain most from company.
        int[] size = group.get(0).size();
        long pixels = (long) size[0] * size[1];
        boolean together = crossImage && windowCount(group.get(0)) == 1;
        while (together && samples.hasNext() && group.size() < windowBatch
            && (group.size() + 1) * pixels <= SHARED_FORWARD_PIXELS) {
          Loaded next = samples.next();
          if (!Arrays.equals(next.size(), group.get(0).size())) {
            pending = next;
            break;
          }
          group.add(next);
        }
        long groupStart = System.nanoTime();
        List<Prediction> preds = predict(group, queries, pamr, crf, ownBackground);
        long share = (System.nanoTime() - groupStart) / group.size();
        for (int i = 0; i < group.size(); i++) {
          Loaded loaded = group.get(i);
          Prediction pred = preds.get(i);
          Sample sample = loaded.sample();
          long metricStart = System.nanoTime();
          metric.add(pred.labels(), loaded.label());
          long metricNanos = System.nanoTime() - metricStart;
          timer.record(Stage.METRIC, metricNanos);
          timer.record(Stage.IMAGE, share + metricNanos);
          if (!featureMetrics.isEmpty()) {
            addFeatureMetrics(sample, norm, loaded.label(), pred.height(), pred.width(), featureMetrics.values());
          }
          if (predictionsDir != null) {
            LabelMaps.writePalettePng(
                predictionsDir.resolve(sample.id() + ".png"), pred.labels(), pred.height(), pred.width(), spec.palette());
          }
          done++;
          bar.update(done, String.format("mIoU %.2f", metric.result().mIoU()));
        }
        // Checkpoints fall between groups, so that a resumed run forms the same groups as an uninterrupted one (a
        // batch's composition can change a logit's last bits).
        checkpoint.imageDone(done, metric, featureMetrics);
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
    List<FeatureMetric> all = PluginRegistry.get().all(FeatureMetric.class);
    List<String> ids = all.stream().map(FeatureMetric::id).toList();
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

  /** Windows of one image under the protocol (1 for whole-image inference). */
  private int windowCount(Loaded loaded) {
    Protocol p = resolved.protocol();
    return p.slide() ? SlideWindows.place(loaded.size()[0], loaded.size()[1], p.crop(), p.stride()).size() : 1;
  }

  /**
   * Label maps of a group of images of one resized size, their windows in shared forwards. Times go to
   * {@link Stage#ENCODE} (the method's forwards), {@link Stage#AGGREGATE} (windows in, scores at the original size
   * out) and {@link Stage#POSTPROCESS} (from scores to labels), each image's share of the group's forwards recorded
   * per image.
   */
  private List<Prediction> predict(List<Loaded> group, QueryEmbeddings queries, PostProcessor pamr, PostProcessor crf,
      boolean ownBackground) {
    Protocol p = resolved.protocol();
    long start = System.nanoTime();
    long[] encode = {0};
    UnaryOperator<NDArray> segmenter = ownBackground
        ? windows -> ((ScoresWithBackground) method).segmentWithBackground(windows, queries, p.bgThreshold())
        : windows -> method.segment(windows, queries);
    UnaryOperator<NDArray> timed = windows -> {
      long t = System.nanoTime();
      NDArray out = segmenter.apply(windows);
      encode[0] += System.nanoTime() - t;
      return out;
    };
    try (NDManager scope = NDManager.newBaseManager()) {
      List<NDArray> images = new ArrayList<>(group.size());
      List<int[]> outSizes = new ArrayList<>(group.size());
      for (Loaded l : group) {
        images.add(scope.create(l.normalized(), new Shape(1, 3, l.size()[0], l.size()[1])));
        outSizes.add(new int[] {l.rgb().height(), l.rgb().width()});
      }
      int channels = ownBackground ? 1 + queries.queryCount() : queries.queryCount();
      List<SlideInference.Aggregation> aggs = SlideInference.runAll(timed, channels, images, p.slide() ? p.crop() : 0,
          p.stride(), windowBatch, outSizes);
      int n = group.size();
      long sharedAggregate = (System.nanoTime() - start - encode[0]) / n;
      List<Prediction> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long[] times = new long[2]; // aggregation, post-processing of this image alone
        out.add(ownBackground
            ? predictWithBackground(scope, aggs.get(i), queries, times)
            : predict(scope, group.get(i), aggs.get(i), queries, pamr, crf, times));
        timer.record(Stage.ENCODE, encode[0] / n);
        timer.record(Stage.AGGREGATE, sharedAggregate + times[0]);
        timer.record(Stage.POSTPROCESS, times[1]);
      }
      return out;
    }
  }

  /**
   * Images that share a forward hold at most this many pixels together: the six 224 x 224 windows of a 336 x 448
   * image, the largest batch that was not slower per window with ViT-B/16 on two cores (see {@link #run}).
   */
  private static final long SHARED_FORWARD_PIXELS = 6L * 224 * 224;

  /** Scores per pixel are at most this many floats at a time (4 MB) when no step needs the whole image. */
  private static final long BAND_ELEMENTS = 1L << 20;

  /**
   * Labels from the aggregated scores, a band of rows at a time: {@code toLabels} maps a band's scores
   * [pixels, channels] to the band's labels. The band's products add to {@code times[0]} (aggregation), the rest to
   * {@code times[1]} (post-processing).
   */
  private static int[] banded(NDManager scope, SlideInference.Aggregation agg, Function<NDArray, int[]> toLabels,
      long[] times) {
    int h = agg.height();
    int w = agg.width();
    int[] labels = new int[h * w];
    int rows = (int) Math.max(1, Math.min(h, BAND_ELEMENTS / ((long) agg.channels() * w)));
    for (int y0 = 0; y0 < h; y0 += rows) {
      int y1 = Math.min(h, y0 + rows);
      try (NDManager band = scope.newSubManager()) {
        long t0 = System.nanoTime();
        NDArray scores = agg.band(band, y0, y1); // [(y1 - y0) * w, channels]
        long t1 = System.nanoTime();
        int[] part = toLabels.apply(scores);
        System.arraycopy(part, 0, labels, y0 * w, part.length);
        times[0] += t1 - t0;
        times[1] += System.nanoTime() - t1;
      }
    }
    return labels;
  }

  private Prediction predict(NDManager scope, Loaded loaded, SlideInference.Aggregation agg, QueryEmbeddings queries,
      PostProcessor pamr, PostProcessor crf, long[] times) {
    Protocol p = resolved.protocol();
    RgbImage rgb = loaded.rgb();
    int h = rgb.height();
    int w = rgb.width();
    int[] size = loaded.size();
    double threshold = Math.max(p.probThreshold(), p.bgThreshold() == null ? 0 : p.bgThreshold());
    // Without a threshold or a step that needs probabilities, the label is the class of the top query.
    boolean topQuery = crf == null && p.areaThreshold() == null && threshold <= 0 && p.logitScale() > 0;
    if (pamr == null && crf == null && p.areaThreshold() == null) {
      // Every remaining step is per pixel: no image-sized array of every query is needed.
      return new Prediction(banded(scope, agg, scores -> topQuery
          ? ClassScores.topQueryClass(scores, 1, queries.queryClass())
          : ClassScores.labels(ClassScores.classProbabilities(
              scores.transpose(), p.logitScale(), queries.queryClass(), queries.classCount()), threshold), times), h, w);
    }
    long aggStart = System.nanoTime();
    NDArray logits = agg.full(); // [Q, H, W]
    long start = System.nanoTime();
    times[0] += start - aggStart;
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
    if (topQuery) {
      Prediction pred = new Prediction(ClassScores.topQueryClass(logits, 0, queries.queryClass()), h, w);
      times[1] += System.nanoTime() - start;
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
    times[1] += System.nanoTime() - start;
    return pred;
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
  private static Prediction predictWithBackground(NDManager scope, SlideInference.Aggregation agg,
      QueryEmbeddings queries, long[] times) {
    int[] channelClass = new int[1 + queries.queryCount()];
    for (int q = 0; q < queries.queryCount(); q++) {
      channelClass[1 + q] = 1 + queries.queryClass()[q];
    }
    int[] labels = banded(scope, agg, scores -> ClassScores.labels(
        ClassScores.maxPerClass(scores.transpose(), channelClass, 1 + queries.classCount()), 0), times);
    return new Prediction(labels, agg.height(), agg.width());
  }

  private static PostProcessor postProcessor(String id, Map<String, String> params) {
    List<String> ids = new ArrayList<>();
    for (PostProcessorProvider provider : PluginRegistry.get().all(PostProcessorProvider.class)) {
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

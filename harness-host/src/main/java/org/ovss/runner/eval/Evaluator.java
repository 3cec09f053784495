package org.ovss.runner.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.ovss.api.ClassPrompt;
import org.ovss.api.FeatureMetric;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodInfo;
import org.ovss.api.PostProcessor;
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
import org.ovss.runner.image.RgbImage;
import org.ovss.runner.metrics.IoUAccumulator;
import org.ovss.runner.protocol.Protocol;
import org.ovss.runner.protocol.Protocols;

/**
 * Runs one method on one dataset split under one resolved protocol, streaming: one image in flight,
 * metrics accumulated as histograms, predictions written as they are made.
 */
public final class Evaluator {
  /** ImageNet mean/std of the GroupViT configs (NVlabs/GroupViT@13b7861 segmentation/configs/_base_/datasets). */
  private static final InputSpec IMAGENET = new InputSpec(224, 16,
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  private final SegmentationMethod method;
  private Device device;
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
  private Setup setup;

  public Evaluator(SegmentationMethod method, DatasetSpec spec, DatasetIndex index, Protocols.Resolved resolved,
      Path predictionsDir, int windowBatch) {
    this.method = method;
    this.spec = spec;
    this.index = index;
    this.resolved = resolved;
    this.predictionsDir = predictionsDir;
    this.windowBatch = windowBatch;
    EvalPreconditions.check(method, spec, resolved.protocol(), ownBackground());
  }

  /**
   * An evaluator that only {@link #segment}s images given to it ({@code ovss segment}): no split, no metrics;
   * {@code vocabulary} gives the classes, the palette and whether class 0 is background.
   */
  public static Evaluator forImages(SegmentationMethod method, DatasetSpec vocabulary, Protocols.Resolved resolved,
      int windowBatch) {
    return new Evaluator(method, vocabulary, null, resolved, null, windowBatch);
  }

  /** Resumes from and saves to {@code c} (the default, {@link EvalCheckpoint#NONE}, evaluates every image). */
  public Evaluator checkpoint(EvalCheckpoint c) {
    this.checkpoint = c;
    return this;
  }

  /** The device of the images' arrays: the method's ({@code --device}); DJL's default device when not set. */
  public Evaluator device(Device d) {
    this.device = d;
    return this;
  }

  private NDManager newManager() {
    return device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device);
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
    if (index == null) {
      throw new IllegalStateException("an evaluator made by forImages has no split to run over");
    }
    long started = System.nanoTime(); // the wall time includes encoding the vocabulary
    Instant startedAt = Instant.now();
    Setup setup = setup();
    IoUAccumulator metric = new IoUAccumulator(spec.classCount(), spec.ignoreIndex());
    Map<String, FeatureMetric.Accumulator> featureMetrics = new LinkedHashMap<>();
    for (FeatureMetric fm : setup.featureMetrics()) {
      featureMetrics.put(fm.id(), fm.start());
    }
    ProgressBar bar = new ProgressBar(console, "eval " + method.info().id() + " on " + spec.name(), index.size());
    int done = checkpoint.resume(metric, featureMetrics);
    evaluate(setup, index.samples().subList(done, index.size()), done, metric, featureMetrics, null, bar);
    double wall = (System.nanoTime() - started) / 1e9;
    Map<String, Double> extra = new LinkedHashMap<>();
    featureMetrics.forEach((id, acc) -> extra.put(id, acc.result()));
    return EvalResults.assemble(method.info(), classes(resolved.protocol(), spec), spec, index, resolved, metric.result(), extra, weightsPath, weightsSha256, startedAt,
        wall);
  }

  /**
   * Evaluates one shard of the split (consecutive samples, with no checkpoint) and returns its sums: the exact
   * integer histograms and each feature metric's state per image, so that {@link #reduce} of the shards of a split
   * gives bit for bit the results of {@link #run} over the whole split. The evaluator's index is not used (it may be
   * null on an executor).
   */
  public ShardSums shard(List<Sample> samples, PrintStream console) {
    Setup setup = setup();
    IoUAccumulator metric = new IoUAccumulator(spec.classCount(), spec.ignoreIndex());
    Map<String, List<double[]>> perImage = new LinkedHashMap<>();
    for (FeatureMetric fm : setup.featureMetrics()) {
      perImage.put(fm.id(), new ArrayList<>());
    }
    ProgressBar bar = new ProgressBar(console, "shard of " + method.info().id() + " on " + spec.name(), samples.size());
    evaluate(setup, samples, 0, metric, Map.of(), perImage, bar);
    return new ShardSums(metric.images(), metric.state(), perImage);
  }

  /**
   * The results of the whole split from its shards' sums, given in the split's order: histograms added (exact) and
   * each feature metric's per-image states added one image after the other from a fresh accumulator's state, as
   * {@link #run} would have accumulated them (feature metric states are sums).
   */
  public static EvalResults reduce(MethodInfo info, DatasetSpec spec, DatasetIndex index, Protocols.Resolved resolved,
      List<ShardSums> shards, String weightsPath, String weightsSha256, Instant startedAt, double wallSeconds) {
    ShardSums all = ShardSums.sum(shards, spec.classCount());
    IoUAccumulator metric = new IoUAccumulator(spec.classCount(), spec.ignoreIndex());
    metric.restore(all.histograms(), all.images());
    Map<String, Double> extra = new LinkedHashMap<>();
    for (FeatureMetric fm : featureMetrics(resolved.protocol())) {
      FeatureMetric.Accumulator acc = fm.start();
      double[] fresh = acc.state();
      if (fresh == null) {
        throw new InvalidInputException("feature metric " + fm.id() + " cannot be summed over shards (it has no state)");
      }
      double[] total = fresh;
      for (double[] summed : all.features().getOrDefault(fm.id(), List.of())) {
        for (int k = 0; k < total.length; k++) {
          total[k] += summed[k];
        }
      }
      acc.restore(total);
      extra.put(fm.id(), acc.result());
    }
    return EvalResults.assemble(info, classes(resolved.protocol(), spec), spec, index, resolved, metric.result(), extra, weightsPath, weightsSha256, startedAt,
        wallSeconds);
  }

  /** The classes a protocol evaluates on a dataset (its names or the alternative names). */
  static List<ClassPrompt> classes(Protocol p, DatasetSpec spec) {
    return "alt".equals(p.classNames()) ? spec.altClasses() : spec.classes();
  }

  /** What every image of a run needs: class prompts, normalisation, post-processors, text queries, feature metrics. */
  private record Setup(List<ClassPrompt> classes, InputSpec norm, PostProcessor pamr, PostProcessor crf,
      boolean ownBackground, QueryEmbeddings queries, List<FeatureMetric> featureMetrics) {}

  /** The setup of this evaluator, made once (the text queries are encoded on first use). */
  private Setup setup() {
    if (setup != null) {
      return setup;
    }
    Protocol p = resolved.protocol();
    List<ClassPrompt> classes = classes(p, spec);
    InputSpec norm = switch (p.normalization()) {
      case "imagenet" -> IMAGENET;
      case "clip" -> new InputSpec(224, 16, InputSpec.CLIP_MEAN, InputSpec.CLIP_STD);
      default -> method.inputSpec();
    };
    PostProcessor pamr = p.pamr() == null ? null : LabelDecoding.postProcessor("pamr", p.pamr());
    PostProcessor crf = p.crf() == null ? null : LabelDecoding.postProcessor("densecrf", p.crf());
    // A method with its own background rule scores the foreground classes only; channel 0 is its background.
    boolean ownBackground = ownBackground();
    List<ClassPrompt> queried = ownBackground ? classes.subList(1, classes.size()) : classes;
    QueryEmbeddings queries = timer.time(Stage.TEXT,
        () -> queryCache.get(queried, p.prompts(), () -> method.encodeText(queried, PromptSet.named(p.prompts()))));
    setup = new Setup(classes, norm, pamr, crf, ownBackground, queries, featureMetrics(p));
    return setup;
  }

  /**
   * One image's labels at its original size, with the score of each pixel's label: the class probability (softmax
   * over the queries at the protocol's logit scale, max over synonyms, after PAMR, DenseCRF and the area threshold
   * where the protocol has them), or for a method that decides background itself the score its rule compared.
   *
   * @param labels row-major class indices into the spec's classes
   * @param confidence row-major score of each pixel's label
   */
  public record Segmentation(int[] labels, float[] confidence, int height, int width) {}

  /**
   * Segments one image outside any dataset ({@code ovss segment}) exactly as {@link #run} segments a dataset's
   * image: same resize, normalisation, windows, aggregation and post-processing, so the labels equal the prediction
   * an evaluation saves for that image. The spec gives the vocabulary (its layout is not used).
   */
  public Segmentation segment(RgbImage rgb) {
    Setup s = setup();
    Loaded loaded = toLoaded(null, rgb, s.norm(), null);
    LabelDecoding.Prediction pred = predict(List.of(loaded), s.queries(), s.pamr(), s.crf(), s.ownBackground(), true).get(0);
    return new Segmentation(pred.labels(), pred.confidence(), pred.height(), pred.width());
  }

  /**
   * Evaluates {@code todo} into {@code metric} and either {@code featureMetrics} (accumulated) or {@code perImage}
   * (one fresh accumulator's state per image, when not null); {@code done} images came before (for the checkpoint
   * and the progress bar).
   */
  private void evaluate(Setup setup, List<Sample> todo, int done, IoUAccumulator metric,
      Map<String, FeatureMetric.Accumulator> featureMetrics, Map<String, List<double[]>> perImage, ProgressBar bar) {
    InputSpec norm = setup.norm();
    try (Prefetcher<Sample, Loaded> samples = new Prefetcher<>(todo,
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
        List<LabelDecoding.Prediction> preds = predict(group, setup.queries(), setup.pamr(), setup.crf(), setup.ownBackground(), false);
        long share = (System.nanoTime() - groupStart) / group.size();
        for (int i = 0; i < group.size(); i++) {
          Loaded loaded = group.get(i);
          LabelDecoding.Prediction pred = preds.get(i);
          Sample sample = loaded.sample();
          long metricStart = System.nanoTime();
          metric.add(pred.labels(), loaded.label());
          long metricNanos = System.nanoTime() - metricStart;
          timer.record(Stage.METRIC, metricNanos);
          timer.record(Stage.IMAGE, share + metricNanos);
          if (perImage != null && !setup.featureMetrics().isEmpty()) {
            Map<String, FeatureMetric.Accumulator> fresh = new LinkedHashMap<>();
            setup.featureMetrics().forEach(fm -> fresh.put(fm.id(), fm.start()));
            addFeatureMetrics(sample, norm, loaded.label(), pred.height(), pred.width(), fresh.values());
            fresh.forEach((id, acc) -> perImage.get(id).add(acc.state()));
          } else if (!featureMetrics.isEmpty()) {
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
  }

  /** The protocol's feature metrics, found among the {@link FeatureMetric} plugins. */
  static List<FeatureMetric> featureMetrics(Protocol p) {
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
    int[] size = p.resizedSize(rgb.height(), rgb.width());
    float[] normalized = Preprocess.normalize(CvResize.linear(rgb, size[0], size[1]), norm);
    try (NDManager scope = newManager()) {
      NDArray features = method.encodeImage(scope.create(normalized, new Shape(1, 3, size[0], size[1]))); // [1, D, h, w]
      Shape s = features.getShape();
      float[] values = features.toFloatArray();
      int background = spec.hasBackground() ? 0 : -1;
      for (FeatureMetric.Accumulator m : metrics) {
        m.add(values, (int) s.get(1), (int) s.get(2), (int) s.get(3), label, h, w, spec.ignoreIndex(), background);
      }
    }
  }

  /**
   * One sample ready for the forward: the decoded image, its normalised resize and its label map, all plain Java
   * arrays (built on the prefetch thread).
   */
  private record Loaded(Sample sample, RgbImage rgb, int[] size, float[] normalized, int[] label) {}

  private Loaded load(Sample sample, InputSpec norm) {
    long start = System.nanoTime();
    RgbImage rgb = ImageFiles.read(sample.image());
    int[] label = LabelMaps.read(sample.label(), spec, rgb.height(), rgb.width());
    Loaded loaded = toLoaded(sample, rgb, norm, label);
    timer.record(Stage.LOAD, System.nanoTime() - start);
    return loaded;
  }

  /** The protocol's resize and the normalisation of a decoded image. */
  private Loaded toLoaded(Sample sample, RgbImage rgb, InputSpec norm, int[] label) {
    Protocol p = resolved.protocol();
    int[] size = p.resizedSize(rgb.height(), rgb.width());
    float[] normalized = Preprocess.normalize(CvResize.linear(rgb, size[0], size[1]), norm);
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
  private List<LabelDecoding.Prediction> predict(List<Loaded> group, QueryEmbeddings queries, PostProcessor pamr, PostProcessor crf,
      boolean ownBackground, boolean confidence) {
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
    try (NDManager scope = newManager()) {
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
      List<LabelDecoding.Prediction> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long[] times = new long[2]; // aggregation, post-processing of this image alone
        out.add(ownBackground
            ? LabelDecoding.decodeWithBackground(scope, aggs.get(i), queries, times, confidence)
            : LabelDecoding.decode(scope, p, group.get(i).rgb(), group.get(i).size(), group.get(i).normalized(), aggs.get(i),
                queries, pamr, crf, times, confidence));
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



  /** Whether the method's own background rule decides background here (see {@link #ownBackground}). */
  public boolean ownBackgroundRule() {
    return ownBackground();
  }

  /**
   * Whether the method's own background rule decides background (a {@link ScoresWithBackground} method on a
   * dataset with background, under a protocol with a background threshold).
   */
  private boolean ownBackground() {
    Protocol p = resolved.protocol();
    return method instanceof ScoresWithBackground && spec.hasBackground() && p.bgThreshold() != null;
  }



}

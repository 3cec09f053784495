package org.ovss.runner.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.runner.eval.EvalResults;
import org.ovss.runner.eval.EvalRun;
import org.ovss.runner.eval.Evaluator;
import org.ovss.runner.eval.Provenance;
import org.ovss.runner.eval.QueryCache;
import org.ovss.runner.eval.SlideWindows;
import org.ovss.runner.eval.Stage;
import org.ovss.runner.protocol.Protocol;
import org.ovss.runner.protocol.Protocols;

/**
 * {@code ovss bench}: the real evaluation path ({@link Evaluator}) on generated images, with per-stage
 * latencies, peak RSS, and the ratio of the end-to-end time per image to a bare forward of the same windows
 * in the same batches (the harness's overhead over the encoder).
 */
public final class Bench {
  /**
   * @param weightsLabel what the weights are, for the report (a path or "random vit-b16, seed 0")
   * @param workDir where the generated images go
   */
  public record Request(MethodProvider provider, MethodConfig config, String weightsLabel, String protocol,
      Map<String, String> overrides, int height, int width, int classes, int images, int warmup, int windowBatch,
      boolean prefetch, boolean crossImageBatches, long seed, Path workDir) {}

  private Bench() {}

  /** Runs the benchmark and returns the report (JSON-ready: maps, lists, numbers, strings). */
  public static Map<String, Object> run(Request r, PrintStream console) {
    DatasetSpec spec = BenchData.spec(r.classes());
    Protocols.Resolved resolved = Protocols.withPrecision(Protocols.resolve(r.protocol(), spec.name(), r.overrides()),
        r.config().execution().precision());
    Protocol p = resolved.protocol();
    Path warmData = r.workDir().resolve("warmup");
    Path data = r.workDir().resolve("measured");
    BenchData.write(warmData, Math.max(1, r.warmup()), r.height(), r.width(), r.classes(), r.seed() + 1);
    BenchData.write(data, r.images(), r.height(), r.width(), r.classes(), r.seed());
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

    // Generating random weights and images (on a first run) leaves heap garbage that would stay resident; a full GC
    // lets G1 give it back, so that the peak below covers the model and the inference only.
    System.gc();
    boolean peakReset = Memory.resetPeak();
    Map<String, Object> report = new LinkedHashMap<>();
    long openStart = System.nanoTime();
    try (SegmentationMethod method = r.provider().open(p.methodConfig(r.provider().id(), r.config()))) {
      double openSeconds = (System.nanoTime() - openStart) / 1e9;
      long rssAfterOpen = Memory.rss();
      QueryCache cache = new QueryCache();
      StageRecorder warm = new StageRecorder();
      console.printf("bench: %s, %d warm-up image(s) (text encoding included) ...%n", method.info().id(), r.warmup());
      if (r.warmup() > 0) {
        new Evaluator(method, spec, DatasetIndex.open(spec, warmData), resolved, null, r.windowBatch())
            .device(r.config().execution().djlDevice()).timer(warm).prefetch(r.prefetch()).crossImageBatches(r.crossImageBatches()).queryCache(cache).run(quiet, r.weightsLabel(), "");
      }
      int[] size = p.resizedSize(r.height(), r.width());
      List<SlideWindows.Window> windows = p.slide()
          ? SlideWindows.place(size[0], size[1], p.crop(), p.stride())
          : List.of(new SlideWindows.Window(0, size[0], 0, size[1]));
      console.printf("bench: %d measured image(s), each followed by a bare encoder forward of its %d window(s) ...%n",
          r.images(), windows.size());
      // The bare forward runs after every image rather than once, so that both sides of the overhead ratio see the
      // same share of whatever else the machine is doing.
      try (BareForward bare = new BareForward(method, windows, r.windowBatch(), r.seed(), r.config().execution().djlDevice())) {
        bare.run(); // warms up the input shapes outside the measurement
        bare.reset();
        StageRecorder rec = new StageRecorder(bare::run);
        long start = System.nanoTime();
        long cpuStart = Memory.processCpuNanos();
        EvalResults results = new Evaluator(method, spec, DatasetIndex.open(spec, data), resolved, null, r.windowBatch())
            .device(r.config().execution().djlDevice()).timer(rec).prefetch(r.prefetch()).crossImageBatches(r.crossImageBatches()).queryCache(cache).run(quiet, r.weightsLabel(), "");
        double wall = (System.nanoTime() - start) / 1e9 - bare.totalSeconds();
        long cpuNanos = Memory.processCpuNanos() - cpuStart - bare.cpuNanos();
        double cpu = cpuNanos / 1e9;
        double perImage = wall / r.images();
        double barePerImage = bare.totalSeconds() / bare.runs();
      report.put("schema", "ovss-bench/1");
      report.put("method", method.info().id());
      report.put("weights", r.weightsLabel());
      report.put("protocol", p.name());
      report.put("protocolSha256", resolved.hash());
      report.put("imageSize", List.of(r.height(), r.width()));
      report.put("resizedSize", List.of(size[0], size[1]));
      report.put("windows", windows.size());
      report.put("windowBatch", r.windowBatch());
      report.put("classes", r.classes());
      report.put("prompts", p.prompts());
      report.put("images", r.images());
      report.put("warmupImages", r.warmup());
      report.put("prefetch", r.prefetch());
      report.put("crossImageBatches", r.crossImageBatches());
      report.put("threads", threads());
      report.put("execution", EvalRun.describe(r.config().execution()));
      report.put("imagesPerSecond", r.images() / wall);
      report.put("wallSeconds", wall);
      report.put("secondsPerImage", perImage);
      report.put("bareForwardSeconds", barePerImage);
      report.put("bareForwardP50Seconds", bare.median());
      report.put("overheadRatio", perImage / barePerImage);
      // CPU seconds: steadier than wall time when other work shares the machine, but counted in 10 ms clock ticks,
      // so reported only where both totals span enough ticks (null otherwise, with the reason)
      if (Memory.cpuMeasurable(cpuNanos) && Memory.cpuMeasurable(bare.cpuNanos())) {
        report.put("cpuSecondsPerImage", cpu / r.images());
        report.put("bareForwardCpuSeconds", bare.cpuSeconds() / bare.runs());
        report.put("cpuOverheadRatio", (cpu / r.images()) / (bare.cpuSeconds() / bare.runs()));
      } else {
        report.put("cpuSecondsPerImage", null);
        report.put("bareForwardCpuSeconds", null);
        report.put("cpuOverheadRatio", null);
        report.put("cpuNote", String.format("not measured: the run's CPU time (%.2f s) or the bare forwards' (%.2f s) is"
            + " under %.1f s, and the process CPU clock counts %d ms ticks; run more or larger images",
            cpu, bare.cpuSeconds(), Memory.CPU_MIN_STEPS * Memory.CPU_CLOCK_STEP_NANOS / 1e9,
            Memory.CPU_CLOCK_STEP_NANOS / 1_000_000));
      }
      Map<String, Object> stages = new LinkedHashMap<>();
      for (Stage s : List.of(Stage.LOAD, Stage.ENCODE, Stage.AGGREGATE, Stage.POSTPROCESS, Stage.METRIC, Stage.IMAGE)) {
        stages.put(s.label(), rec.summary(s));
      }
      report.put("stages", stages);
      report.put("textEncodeSeconds", StageRecorder.percentile(warm.sorted(Stage.TEXT), 100) / 1e9);
      report.put("modelOpenSeconds", openSeconds);
      report.put("rssAfterOpenBytes", rssAfterOpen);
      report.put("peakRssBytes", Memory.peakRss());
      report.put("peakRssCovers", peakReset ? "model load and inference (reset after generating inputs)" : "whole process");
      report.put("mIoU", results.metrics().get("mIoU"));
      report.put("provenance", Provenance.describe());
      }
    }
    return report;
  }

  /** The intra-op thread count asked for, or "default" (libtorch's choice). */
  private static Object threads() {
    String t = System.getProperty("ai.djl.pytorch.num_threads");
    return t == null ? "default" : Integer.valueOf(t);
  }
}

package org.ovss.runner.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ovss.api.FeatureMetric;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.AtomicFiles;
import org.ovss.datasets.DatasetCheck;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.Sample;
import org.ovss.datasets.synth.SyntheticBenchmark;
import org.ovss.runner.Hashing;
import org.ovss.runner.metrics.IoUAccumulator;
import org.ovss.runner.protocol.Protocols;

/** One evaluation cell from names to {@code results.json}: the shared body of {@code ovss eval} and {@code ovss demo}. */
public final class EvalRun {
  /** Evaluates a wave of a cell's shards elsewhere ({@link ShardExecutor}), given how many images are done. */
  @FunctionalInterface
  public interface Waves {
    List<ShardSums> evaluate(List<List<Sample>> shards, long imagesBefore, long imagesTotal);
  }

  private EvalRun() {}

  /**
   * What to evaluate and where the results go.
   *
   * @param restart discard a checkpoint in {@code out} instead of resuming from it (and refusing one of another run)
   * @param shareForwards let small single-window images share forwards ({@link Evaluator#crossImageBatches})
   */
  public record Request(MethodProvider provider, MethodConfig config, DatasetSpec spec, Path dataRoot, String protocol,
      Map<String, String> overrides, Integer limit, boolean savePredictions, int windowBatch, Path out,
      boolean restart, boolean shareForwards) {

    /** A request whose every forward holds one image's windows. */
    public Request(MethodProvider provider, MethodConfig config, DatasetSpec spec, Path dataRoot, String protocol,
        Map<String, String> overrides, Integer limit, boolean savePredictions, int windowBatch, Path out,
        boolean restart) {
      this(provider, config, spec, dataRoot, protocol, overrides, limit, savePredictions, windowBatch, out, restart,
          false);
    }

    /** A request that resumes from a matching checkpoint in {@code out}. */
    public Request(MethodProvider provider, MethodConfig config, DatasetSpec spec, Path dataRoot, String protocol,
        Map<String, String> overrides, Integer limit, boolean savePredictions, int windowBatch, Path out) {
      this(provider, config, spec, dataRoot, protocol, overrides, limit, savePredictions, windowBatch, out, false);
    }
  }

  /**
   * Runs the evaluation under the lock of {@code out} ({@link RunLock}), resuming from a checkpoint of the same run
   * ({@link EvalCheckpoint}), writes {@code out/results.json} atomically and returns what it wrote.
   */
  public static EvalResults run(Request r, PrintStream console) {
    return run(r, null, console);
  }

  /** As {@link #run(Request, PrintStream)}, naming the weights (boards show one row per method and weights). */
  public static EvalResults run(Request r, String weightsLabel, PrintStream console) {
    return run(r, weightsLabel, console, null, null, 0);
  }

  /**
   * As {@link #run(Request, String, PrintStream)}, the images evaluated by {@code shards} (split into consecutive
   * shards of {@code shardImages} images) when it is not null. The sums of a checkpoint left by a killed local run
   * count as a first shard and only the images after it are evaluated. The shards go to {@code shards} in waves of
   * {@code waveShards}, and after each wave but the last the sums so far are saved as the checkpoint, so a cut
   * distributed run resumes after its last finished wave.
   */
  public static EvalResults run(Request r, String weightsLabel, PrintStream console,
      Waves shards, Integer shardImages, int waveShards) {
    if (r.windowBatch() <= 0) {
      throw new InvalidInputException("--window-batch must be positive, got " + r.windowBatch());
    }
    String protocolName = r.protocol() == null ? r.provider().info().defaultProtocol() : r.protocol();
    Execution execution = r.config().execution();
    Protocols.Resolved resolved = Protocols.withPrecision(
        Protocols.resolve(protocolName, r.spec().name(), r.overrides()), execution.precision());
    DatasetIndex index = DatasetIndex.open(r.spec(), r.dataRoot());
    if (r.limit() != null) {
      index = index.limit(r.limit());
    }
    // A few label maps now, so that data of another convention or dataset is refused before hours of inference.
    DatasetCheck.quick(r.spec(), index);
    Path weights = r.config().weights().orElseThrow(
        () -> new InvalidInputException("evaluating method '" + r.provider().id() + "' needs a weights file"));
    String weightsSha = Hashing.sha256(weights);
    try {
      Files.createDirectories(r.out());
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the output directory " + r.out() + ": " + e.getMessage(), e);
    }
    try (RunLock lock = RunLock.acquire(r.out(), console)) {
      // A run killed while writing a checkpoint, results or a prediction leaves its temporary file behind.
      AtomicFiles.removeLeftovers(r.out());
      AtomicFiles.removeLeftovers(r.out().resolve("predictions"));
      EvalCheckpoint checkpoint = EvalCheckpoint.open(r.out(), fingerprint(r, resolved, index, weightsSha),
          r.restart(), console);
      Path predictions = r.savePredictions() ? Files.createDirectories(r.out().resolve("predictions")) : null;
      EvalResults results;
      if (shards != null) {
        results = distributed(r, index, resolved, checkpoint, shards, shardImages, waveShards, weights.toString(),
            weightsSha);
      } else {
        try (SegmentationMethod m = r.provider().open(resolved.protocol().methodConfig(r.provider().id(), r.config()))) {
          results = new Evaluator(m, r.spec(), index, resolved, predictions, r.windowBatch())
              .device(execution.djlDevice())
              .checkpoint(checkpoint)
              .crossImageBatches(r.shareForwards())
              .run(console, weights.toString(), weightsSha);
        }
      }
      results = results.withSource(weightsLabel, r.dataRoot().toAbsolutePath().normalize().toString(),
          SyntheticBenchmark.datasetVersion(r.dataRoot()).orElse(null));
      results.provenance().put("execution", describe(execution));
      writeAtomically(r.out().resolve("results.json"),
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
      checkpoint.finish();
      return results;
    } catch (IOException e) {
      throw new InvalidInputException("cannot write results to " + r.out() + ": " + e.getMessage(), e);
    }
  }

  private static EvalResults distributed(Request r, DatasetIndex index, Protocols.Resolved resolved,
      EvalCheckpoint checkpoint, Waves executor, Integer shardImages,
      int waveShards, String weights, String weightsSha) {
    if (r.shareForwards()) {
      throw new InvalidInputException("--share-forwards is not available on a distributed run (shards would form"
          + " other batches)");
    }
    if (shardImages != null && shardImages <= 0) {
      throw new InvalidInputException("shard size must be positive, got " + shardImages);
    }
    long started = System.nanoTime();
    Instant startedAt = Instant.now();
    IoUAccumulator metric = new IoUAccumulator(r.spec().classCount(), r.spec().ignoreIndex());
    Map<String, FeatureMetric.Accumulator> saved = new LinkedHashMap<>();
    for (FeatureMetric fm : Evaluator.featureMetrics(resolved.protocol())) {
      saved.put(fm.id(), fm.start());
    }
    int done = checkpoint.resume(metric, saved);
    List<ShardSums> sums = new ArrayList<>();
    if (done > 0) {
      Map<String, List<double[]>> features = new LinkedHashMap<>();
      saved.forEach((id, acc) -> features.put(id, List.of(acc.state())));
      sums.add(new ShardSums(metric.images(), metric.state(), features));
    }
    List<Sample> todo = index.samples().subList(done, index.size());
    int size = shardImages != null ? shardImages : Math.max(1, Math.min(50, (todo.size() + 15) / 16));
    List<List<Sample>> shards = new ArrayList<>();
    for (int i = 0; i < todo.size(); i += size) {
      shards.add(todo.subList(i, Math.min(todo.size(), i + size)));
    }
    // Waves of shards, each followed by a checkpoint of every image so far (shards are consecutive runs of the split,
    // so the waves done are a prefix of it): a cell cut short resumes after its last finished wave.
    int wave = Math.max(1, waveShards);
    for (int first = 0; first < shards.size(); first += wave) {
      List<List<Sample>> part = shards.subList(first, Math.min(shards.size(), first + wave));
      long before = sums.stream().mapToLong(ShardSums::images).sum();
      List<ShardSums> evaluated = executor.evaluate(part, before, index.size());
      if (evaluated.size() != part.size()) {
        throw new IllegalStateException(part.size() + " shards sent, " + evaluated.size() + " results back");
      }
      sums.addAll(evaluated);
      if (first + wave < shards.size()) {
        ShardSums soFar = ShardSums.sum(sums, r.spec().classCount());
        Map<String, double[]> features = new LinkedHashMap<>();
        soFar.features().forEach((id, states) -> features.put(id, states.get(0)));
        checkpoint.save(soFar.images(), soFar.histograms(), features);
      }
    }
    return Evaluator.reduce(r.provider().info(), r.spec(), index, resolved, sums, weights, weightsSha, startedAt,
        (System.nanoTime() - started) / 1e9);
  }

  /** What must match for a checkpoint to be resumed: everything that changes the metrics or the files written. */
  public static Map<String, String> fingerprint(Request r, Protocols.Resolved resolved, DatasetIndex index, String weightsSha) {
    Map<String, String> f = new TreeMap<>();
    f.put("method", r.provider().id());
    f.put("methodOptions", new TreeMap<>(resolved.protocol().methodConfig(r.provider().id(), r.config()).options()).toString());
    f.put("seed", Long.toString(r.config().seed()));
    f.put("weightsSha256", weightsSha);
    f.put("dataset", r.spec().name());
    f.put("datasetSpecSha256", r.spec().contentHash());
    f.put("splitSha256", index.splitHash());
    f.put("images", Integer.toString(index.size()));
    // Only for generated data, so that checkpoints over other datasets stay resumable across this change.
    SyntheticBenchmark.datasetVersion(r.dataRoot()).ifPresent(v -> f.put("datasetVersion", v));
    f.put("protocolSha256", resolved.hash());
    f.put("windowBatch", Integer.toString(r.windowBatch()));
    if (r.shareForwards()) {
      f.put("shareForwards", "true"); // only when on, so that checkpoints of earlier versions stay resumable
    }
    f.put("savePredictions", Boolean.toString(r.savePredictions()));
    Execution e = r.config().execution();
    if (e.engine() != Execution.Engine.PYTORCH || !e.device().equals("cpu")) {
      f.put("execution", describe(e).toString()); // only when not the old default, so old checkpoints stay resumable
    }
    return f;
  }

  /** The execution as results.json records it under provenance: engine, precision, device, ep. */
  public static Map<String, String> describe(Execution e) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("engine", e.engine().id());
    m.put("precision", e.precision().id());
    m.put("device", e.device());
    if (e.ep() != null) {
      m.put("ep", e.ep());
    }
    return m;
  }

  /** Temporary file then rename, so a reader never sees half a file (and a crash leaves the old one or the new). */
  public static void writeAtomically(Path target, String text) throws IOException {
    AtomicFiles.writeString(target, text);
  }
}

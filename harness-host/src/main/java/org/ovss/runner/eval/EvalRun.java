package org.ovss.runner.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.AtomicFiles;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.runner.Hashing;
import org.ovss.runner.protocol.Protocols;

/** One evaluation cell from names to {@code results.json}: the shared body of {@code ovss eval} and {@code ovss demo}. */
public final class EvalRun {
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
    if (r.windowBatch() <= 0) {
      throw new InvalidInputException("--window-batch must be positive, got " + r.windowBatch());
    }
    String protocolName = r.protocol() == null ? r.provider().info().defaultProtocol() : r.protocol();
    Protocols.Resolved resolved = Protocols.resolve(protocolName, r.spec().name(), r.overrides());
    DatasetIndex index = DatasetIndex.open(r.spec(), r.dataRoot());
    if (r.limit() != null) {
      index = index.limit(r.limit());
    }
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
      try (SegmentationMethod m = r.provider().open(r.config())) {
        results = new Evaluator(m, r.spec(), index, resolved, predictions, r.windowBatch())
            .checkpoint(checkpoint)
            .crossImageBatches(r.shareForwards())
            .run(console, weights.toString(), weightsSha)
            .withSource(weightsLabel, r.dataRoot().toAbsolutePath().normalize().toString());
      }
      writeAtomically(r.out().resolve("results.json"),
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
      checkpoint.finish();
      return results;
    } catch (IOException e) {
      throw new InvalidInputException("cannot write results to " + r.out() + ": " + e.getMessage(), e);
    }
  }

  /** What must match for a checkpoint to be resumed: everything that changes the metrics or the files written. */
  static Map<String, String> fingerprint(Request r, Protocols.Resolved resolved, DatasetIndex index, String weightsSha) {
    Map<String, String> f = new TreeMap<>();
    f.put("method", r.provider().id());
    f.put("methodOptions", new TreeMap<>(r.config().options()).toString());
    f.put("seed", Long.toString(r.config().seed()));
    f.put("weightsSha256", weightsSha);
    f.put("dataset", r.spec().name());
    f.put("datasetSpecSha256", r.spec().contentHash());
    f.put("splitSha256", index.splitHash());
    f.put("images", Integer.toString(index.size()));
    f.put("protocolSha256", resolved.hash());
    f.put("windowBatch", Integer.toString(r.windowBatch()));
    if (r.shareForwards()) {
      f.put("shareForwards", "true"); // only when on, so that checkpoints of earlier versions stay resumable
    }
    f.put("savePredictions", Boolean.toString(r.savePredictions()));
    return f;
  }

  /** Temporary file then rename, so a reader never sees half a file (and a crash leaves the old one or the new). */
  public static void writeAtomically(Path target, String text) throws IOException {
    AtomicFiles.writeString(target, text);
  }
}

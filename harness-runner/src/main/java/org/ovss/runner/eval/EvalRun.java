package org.ovss.runner.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.runner.Hashing;
import org.ovss.runner.protocol.Protocols;

/** One evaluation cell from names to {@code results.json}: the shared body of {@code ovss eval} and {@code ovss demo}. */
public final class EvalRun {
  private EvalRun() {}

  /** What to evaluate and where the results go. */
  public record Request(MethodProvider provider, MethodConfig config, DatasetSpec spec, Path dataRoot, String protocol,
      Map<String, String> overrides, Integer limit, boolean savePredictions, int windowBatch, Path out) {}

  /** Runs the evaluation, writes {@code out/results.json} atomically and returns what it wrote. */
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
      Path predictions = r.savePredictions() ? Files.createDirectories(r.out().resolve("predictions")) : null;
      EvalResults results;
      try (SegmentationMethod m = r.provider().open(r.config())) {
        results = new Evaluator(m, r.spec(), index, resolved, predictions, r.windowBatch())
            .run(console, weights.toString(), weightsSha)
            .withSource(weightsLabel, r.dataRoot().toAbsolutePath().normalize().toString());
      }
      writeAtomically(r.out().resolve("results.json"),
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
      return results;
    } catch (IOException e) {
      throw new InvalidInputException("cannot write results to " + r.out() + ": " + e.getMessage(), e);
    }
  }

  /** Temporary file then rename, so a reader never sees half a file. */
  public static void writeAtomically(Path target, String text) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

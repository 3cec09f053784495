package org.ovss.runner.eval;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ovss.api.Capability;
import org.ovss.api.Execution;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.UnsupportedCapabilityException;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.MethodRegistry;

/**
 * One evaluation cell as plain strings: what {@code ovss eval} takes on its command line and a plan cell names.
 * Serializable, so that a distributed run sends it to executors, which open the method from it themselves ({@link
 * ShardWorker}); it holds no model.
 *
 * @param dataset a dataset name or the path of a dataset spec JSON file
 * @param protocol a protocol name or JSON file, or null for the method's default
 * @param limit only the first N images of the split, or null for all
 * @param execution engine, precision and device of the method's encoders (executors open the method with it)
 */
public record CellJob(String method, String weights, String tokenizer, Map<String, String> options, String dataset,
    String dataRoot, String protocol, Map<String, String> overrides, Integer limit, boolean savePredictions,
    int windowBatch, String out, String weightsLabel, Execution execution) implements Serializable {
  private static final long serialVersionUID = 1L;

  public CellJob {
    options = new TreeMap<>(options);
    overrides = new TreeMap<>(overrides);
    execution = execution == null ? Execution.DEFAULT : execution;
  }

  /** The same cell evaluated into another folder. */
  public CellJob withOut(String folder) {
    return new CellJob(method, weights, tokenizer, options, dataset, dataRoot, protocol, overrides, limit,
        savePredictions, windowBatch, folder, weightsLabel, execution);
  }

  /** The method's provider; it must segment. */
  public MethodProvider provider() {
    MethodProvider provider = MethodRegistry.discover().get(method);
    if (!provider.info().has(Capability.SEGMENT)) {
      throw new UnsupportedCapabilityException(method, Capability.SEGMENT);
    }
    return provider;
  }

  public MethodConfig config() {
    return new MethodConfig(Optional.of(Path.of(weights)), Optional.ofNullable(tokenizer).map(Path::of), options, 0L,
        execution);
  }

  public DatasetSpec spec() {
    return Files.isRegularFile(Path.of(dataset)) ? DatasetSpecs.load(Path.of(dataset)) : DatasetSpecs.get(dataset);
  }

  /** The request of {@link EvalRun} for this cell. */
  public EvalRun.Request request(boolean restart) {
    return new EvalRun.Request(provider(), config(), spec(), Path.of(dataRoot), protocol, overrides, limit,
        savePredictions, windowBatch, Path.of(out), restart);
  }

  /**
   * Evaluates the cell into {@code out/results.json} ({@link EvalRun}): here, or shard by shard on {@code executor}
   * when it is not null ({@code shardImages} images per shard, null for the default).
   */
  public EvalResults run(boolean restart, PrintStream console, ShardExecutor executor, Integer shardImages) {
    return EvalRun.run(request(restart), weightsLabel, console,
        executor == null ? null : (shards, before, total) -> executor.evaluate(this, shards, before, total, console),
        shardImages,
        executor == null ? 0 : 2 * executor.parallelism());
  }

  /** Everything that decides what an opened method computes for this cell (executors reuse one per key). */
  public String openKey() {
    return String.join("\u0000", method, weights, String.valueOf(tokenizer), options.toString(), dataset, dataRoot,
        String.valueOf(protocol), overrides.toString(), Integer.toString(windowBatch), Boolean.toString(savePredictions),
        out, execution.toString());
  }
}

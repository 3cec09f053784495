package org.ovss.runner.eval;

import java.io.PrintStream;
import java.util.List;
import org.ovss.datasets.Sample;

/**
 * Evaluates the shards of one cell somewhere else (a Spark cluster): each shard through {@link ShardWorker} on the
 * machine that runs it, the sums returned in shard order. {@link EvalRun} reduces them into {@code results.json}.
 */
public interface ShardExecutor {

  /** The sums of each shard, in the order of {@code shards}. */
  List<ShardSums> evaluate(CellJob job, List<List<Sample>> shards, PrintStream console);
}

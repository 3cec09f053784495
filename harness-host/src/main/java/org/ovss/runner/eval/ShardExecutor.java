package org.ovss.runner.eval;

import java.io.PrintStream;
import java.util.List;
import java.util.ServiceLoader;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.Sample;

/**
 * Evaluates the shards of one cell somewhere else (a Spark cluster): each shard through {@link ShardWorker} on the
 * machine that runs it, the sums returned in shard order. {@link EvalRun} reduces them into {@code results.json}.
 */
public interface ShardExecutor extends AutoCloseable {

  /**
   * The sums of each shard, in the order of {@code shards}: one wave of a cell whose first {@code imagesBefore} of
   * {@code imagesTotal} images are already done (for the progress shown).
   */
  List<ShardSums> evaluate(CellJob job, List<List<Sample>> shards, long imagesBefore, long imagesTotal,
      PrintStream console);

  /**
   * How many shards run at once (a cluster's task slots); a distributed run sends its shards in waves of twice this
   * many and checkpoints after each wave.
   */
  default int parallelism() {
    return 1;
  }

  /** Stops what {@link Provider#connect} started. */
  @Override
  default void close() {}

  /** Found with {@link ServiceLoader}: the Spark module provides one (it is not a dependency of the CLI). */
  interface Provider {
    /** Connects to {@code master} (e.g. {@code local[2]}, {@code spark://host:7077}). */
    ShardExecutor connect(String master, PrintStream console);
  }

  /** The executor of the provider on the class path, connected to {@code master}. */
  static ShardExecutor connect(String master, PrintStream console) {
    for (Provider p : ServiceLoader.load(Provider.class)) {
      return p.connect(master, console);
    }
    throw new InvalidInputException("--spark " + master + ": the Spark module (harness-spark) is not on the class"
        + " path; build it (mvn package) and start ovss through the ./ovss launcher");
  }
}

package org.ovss.runner.eval;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.DatasetSpec;
import org.ovss.runner.protocol.Protocols;

/**
 * The executor side of a distributed evaluation: evaluates one shard of a cell with a method opened once per JVM and
 * cell. Opened methods live in a static pool keyed by the cell ({@link CellJob#openKey}); a task borrows one (opening
 * it only when every opened one is busy, so at most one per concurrent task) and gives it back, and the first task
 * of another cell closes the idle methods of the previous one. Nothing here travels in a closure.
 */
public final class ShardWorker {
  private ShardWorker() {}

  /** An opened method with what its cell needs per shard. */
  private record Opened(SegmentationMethod method, DatasetSpec spec, Protocols.Resolved resolved, Path predictions,
      QueryCache queries) {}

  private static String cell;
  private static final Deque<Opened> IDLE = new ArrayDeque<>();
  private static int opened;

  /** Evaluates {@code samples} (consecutive samples of the cell's split) and returns their sums. */
  public static ShardSums evaluate(CellJob job, List<org.ovss.datasets.Sample> samples, PrintStream console) {
    Opened o = borrow(job);
    try {
      return new Evaluator(o.method(), o.spec(), null, o.resolved(), o.predictions(), job.windowBatch())
          .queryCache(o.queries())
          .shard(samples, console);
    } finally {
      giveBack(job, o);
    }
  }

  /** How many methods this JVM has opened since it started (tests check that none is reopened per shard). */
  public static synchronized int openedCount() {
    return opened;
  }

  private static Opened borrow(CellJob job) {
    List<Opened> stale = new ArrayList<>();
    synchronized (ShardWorker.class) {
      if (!job.openKey().equals(cell)) {
        stale.addAll(IDLE);
        IDLE.clear();
        cell = job.openKey();
      } else if (!IDLE.isEmpty()) {
        return IDLE.pop();
      }
    }
    stale.forEach(s -> s.method().close());
    EvalRun.Request r = job.request(false);
    String protocolName = r.protocol() == null ? r.provider().info().defaultProtocol() : r.protocol();
    Protocols.Resolved resolved = Protocols.resolve(protocolName, r.spec().name(), r.overrides());
    Path predictions = r.savePredictions() ? r.out().resolve("predictions") : null;
    Opened o = new Opened(r.provider().open(resolved.protocol().methodConfig(r.provider().id(), r.config())), r.spec(),
        resolved, predictions, new QueryCache());
    synchronized (ShardWorker.class) {
      opened++;
    }
    return o;
  }

  private static void giveBack(CellJob job, Opened o) {
    synchronized (ShardWorker.class) {
      if (job.openKey().equals(cell)) {
        IDLE.push(o);
        return;
      }
    }
    o.method().close();
  }
}

package org.ovss.spark;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.Success$;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.ovss.datasets.Sample;
import org.ovss.runner.eval.CellJob;
import org.ovss.runner.eval.ProgressBar;
import org.ovss.runner.eval.ShardExecutor;
import org.ovss.runner.eval.ShardSums;
import org.ovss.runner.eval.ShardWorker;

/**
 * A cell's shards as one Spark job: one partition per shard, each task given the cell ({@link CellJob}, strings) and
 * its images' paths, run by {@link ShardWorker} with the executor's cached method, its {@link ShardSums} collected
 * in shard order. Prediction PNGs are written by the tasks, each atomically, so a retried task rewrites its own
 * files and the sums of a failed attempt are never collected.
 */
public final class SparkShards implements ShardExecutor {
  /** Test hook: image ids (comma-separated) whose shard fails its first attempt, to check that retries change nothing. */
  static final String FAIL_FIRST_ATTEMPT = "spark.ovss.test.failFirstAttempt";
  /** Test hook: image ids whose shard fails every attempt, to check that a cut cell resumes from its checkpoint. */
  static final String FAIL_ALWAYS = "spark.ovss.test.failAlways";

  private final JavaSparkContext context;
  private final PrintStream console;
  private ProgressBar bar;
  private CellJob barJob;
  private long barBefore;

  /** Found by {@link ShardExecutor#connect}. */
  public static final class Provider implements ShardExecutor.Provider {
    @Override
    public ShardExecutor connect(String master, PrintStream console) {
      SparkConf conf = new SparkConf(true) // spark.* system properties (spark-submit sets them) first
          .setMaster(master)
          .setIfMissing("spark.app.name", "ovss")
          .setIfMissing("spark.ui.showConsoleProgress", "false")
          .setIfMissing("spark.ui.enabled", Boolean.toString(!master.startsWith("local")));
      console.println("spark: starting " + master);
      return new SparkShards(new JavaSparkContext(conf), console);
    }
  }

  SparkShards(JavaSparkContext context, PrintStream console) {
    this.context = context;
    this.console = console;
  }

  /** One task's input: the cell and its shard's samples as id, image path, label path. */
  record Shard(CellJob job, List<String[]> samples) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Override
  public List<ShardSums> evaluate(CellJob job, List<List<Sample>> shards, long imagesBefore, long imagesTotal,
      PrintStream out) {
    List<Shard> tasks = new ArrayList<>();
    long[] sizes = new long[shards.size()];
    for (List<Sample> shard : shards) {
      List<String[]> paths = new ArrayList<>();
      for (Sample s : shard) {
        paths.add(new String[] {s.id(), s.image().toString(), s.label().toString()});
      }
      sizes[tasks.size()] = shard.size();
      tasks.add(new Shard(job, paths));
    }
    if (tasks.isEmpty()) {
      return List.of();
    }
    // one bar for the whole cell: a later wave of the same cell continues the bar of the first
    if (bar == null || !job.equals(barJob) || imagesBefore < barBefore) {
      bar = new ProgressBar(out, "spark " + job.method() + " on " + job.dataset(), imagesTotal, imagesBefore);
      barJob = job;
    }
    barBefore = imagesBefore;
    ProgressBar bar = this.bar;
    long[] done = {imagesBefore};
    SparkListener progress = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() == Success$.MODULE$) {
          int partition = end.taskInfo().partitionId();
          synchronized (done) {
            done[0] += partition >= 0 && partition < sizes.length ? sizes[partition] : 0;
            bar.update(done[0], "");
          }
        }
      }
    };
    context.sc().addSparkListener(progress);
    try {
      context.setJobDescription(job.method() + " on " + job.dataset() + ": " + tasks.size() + " shards");
      return context.parallelize(tasks, tasks.size()).map(SparkShards::evaluate).collect();
    } finally {
      context.sc().removeSparkListener(progress);
    }
  }

  /** Runs on an executor: the task sees the cell and the image paths, the method comes from the JVM's cache. */
  static ShardSums evaluate(Shard shard) {
    TaskContext task = TaskContext.get();
    List<String> first = Arrays.asList(SparkEnv.get().conf().get(FAIL_FIRST_ATTEMPT, "").split(","));
    List<String> always = Arrays.asList(SparkEnv.get().conf().get(FAIL_ALWAYS, "").split(","));
    for (String[] s : shard.samples()) {
      if (always.contains(s[0]) || (task.attemptNumber() == 0 && first.contains(s[0]))) {
        throw new IllegalStateException("injected failure of attempt " + task.attemptNumber() + " of the shard holding "
            + s[0]);
      }
    }
    List<Sample> samples = new ArrayList<>();
    for (String[] s : shard.samples()) {
      samples.add(new Sample(s[0], Path.of(s[1]), Path.of(s[2])));
    }
    return ShardWorker.evaluate(shard.job(), samples, new PrintStream(OutputStream.nullOutputStream()));
  }

  @Override
  public int parallelism() {
    return context.defaultParallelism();
  }

  @Override
  public void close() {
    context.stop();
    console.println("spark: stopped");
  }
}

package org.ovss.runner.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.runner.eval.Stage;
import org.ovss.runner.eval.StageTimer;

/** Keeps every recorded time per stage and reports percentiles; thread-safe (the prefetch thread records too). */
public final class StageRecorder implements StageTimer {
  private final Map<Stage, List<Long>> times = new EnumMap<>(Stage.class);
  private final Runnable afterImage;

  public StageRecorder() {
    this(() -> {});
  }

  /** @param afterImage run on the evaluation thread after each image's {@link Stage#IMAGE} time is recorded */
  public StageRecorder(Runnable afterImage) {
    this.afterImage = afterImage;
  }

  @Override
  public void record(Stage stage, long nanos) {
    synchronized (this) {
      times.computeIfAbsent(stage, s -> new ArrayList<>()).add(nanos);
    }
    if (stage == Stage.IMAGE) {
      afterImage.run();
    }
  }

  /** Sorted times of a stage in nanoseconds; empty when it was never recorded. */
  public synchronized long[] sorted(Stage stage) {
    long[] v = times.getOrDefault(stage, List.of()).stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(v);
    return v;
  }

  /** Nearest-rank percentile ({@code q} in (0, 100]) of sorted values, NaN when there are none. */
  public static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1];
  }

  /** count, mean and p50/p90/p99 in milliseconds. */
  public Map<String, Object> summary(Stage stage) {
    long[] v = sorted(stage);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", v.length);
    m.put("meanMs", v.length == 0 ? Double.NaN : Arrays.stream(v).average().orElse(0) / 1e6);
    m.put("p50Ms", percentile(v, 50) / 1e6);
    m.put("p90Ms", percentile(v, 90) / 1e6);
    m.put("p99Ms", percentile(v, 99) / 1e6);
    return m;
  }
}

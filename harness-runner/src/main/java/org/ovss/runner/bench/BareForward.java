package org.ovss.runner.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.ovss.api.SegmentationMethod;
import org.ovss.runner.eval.SlideWindows;

/**
 * The method's encoder alone on random windows of one image, in the batches the evaluation uses: the
 * denominator of the overhead ratio. Only the forwards are timed, not copying the inputs.
 */
final class BareForward implements AutoCloseable {
  private final SegmentationMethod method;
  private final NDManager manager;
  private final List<NDArray> inputs = new ArrayList<>();
  private final List<Long> runs = new ArrayList<>();
  private long cpuNanos;

  BareForward(SegmentationMethod method, List<SlideWindows.Window> windows, int batch, long seed, Device device) {
    this.method = method;
    this.manager = NDManager.newBaseManager(device);
    manager.getEngine().setRandomSeed((int) seed);
    for (int start = 0; start < windows.size(); start += batch) {
      SlideWindows.Window first = windows.get(start);
      int n = Math.min(batch, windows.size() - start);
      inputs.add(manager.randomNormal(new Shape(n, 3, first.height(), first.width()))); // [B, 3, ch, cw]
    }
  }

  /** One image's worth of forwards. */
  void run() {
    long nanos = 0;
    for (NDArray in : inputs) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = in.duplicate();
        x.attach(scope);
        long t = System.nanoTime();
        long c = Memory.processCpuNanos();
        method.encodeImage(x).close();
        nanos += System.nanoTime() - t;
        cpuNanos += Memory.processCpuNanos() - c;
      }
    }
    runs.add(nanos);
  }

  void reset() {
    runs.clear();
    cpuNanos = 0;
  }

  int runs() {
    return runs.size();
  }

  /** Process CPU seconds of the forwards since the last reset (every thread's, the other threads' idling included). */
  double cpuSeconds() {
    return cpuNanos / 1e9;
  }

  long cpuNanos() {
    return cpuNanos;
  }

  double totalSeconds() {
    return runs.stream().mapToLong(Long::longValue).sum() / 1e9;
  }

  double median() {
    long[] v = runs.stream().mapToLong(Long::longValue).sorted().toArray();
    return StageRecorder.percentile(v, 50) / 1e9;
  }

  @Override
  public void close() {
    manager.close();
  }
}

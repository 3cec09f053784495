package org.ovss.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ovss.clip.model.AttentionMode;

/**
 * The six 224-px windows of a 336x448 image (SCLIP protocol on a 375x500 image) through a random CLIP image tower
 * with SCLIP's last block: one forward of all six against six forwards of one, on each engine and precision
 * ({@code execution}: pytorch, onnxruntime-fp32, onnxruntime-int8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class WindowEncodeBenchmark extends RandomClipState {
  @Param({"6"})
  public int windows;

  private NDArray batch;

  @Override
  protected void prepare() {
    int res = model.config().imageResolution();
    batch = manager.create(Common.uniform(windows * 3 * res * res, 1f, 1L), new Shape(windows, 3, res, res));
  }

  private NDArray tokens(NDArray x) {
    return onnx != null ? onnx.imageTokens(x, AttentionMode.CSA) : model.visual().forwardTokens(parameters, x, AttentionMode.CSA, false);
  }

  @Benchmark
  public float batched() {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = batch.duplicate();
      x.attach(scope);
      return tokens(x).getFloat(0, 0, 0);
    }
  }

  @Benchmark
  public float oneByOne() {
    float sum = 0;
    for (int i = 0; i < windows; i++) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = batch.get(i + ":" + (i + 1));
        x.attach(scope);
        sum += tokens(x).getFloat(0, 0, 0);
      }
    }
    return sum;
  }
}

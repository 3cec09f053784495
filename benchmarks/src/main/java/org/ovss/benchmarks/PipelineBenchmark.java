package org.ovss.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.ovss.runner.eval.SlideInference;
import org.ovss.runner.image.CvResize;
import org.ovss.runner.image.RgbImage;
import org.ovss.runner.metrics.IoUAccumulator;

/**
 * The runner's own work around the forward on a 375x500 image under the SCLIP protocol: the mmcv resize to
 * 336x448, slide aggregation of six windows' 14x14 logits to the original size, and the IoU histogram update.
 */
public class PipelineBenchmark extends MillisecondsPerCall {
  @Param({"21", "171"})
  public int classes;

  private RgbImage image;
  private NDManager manager;
  private NDArray resized;
  private NDArray windowLogits;
  private IoUAccumulator metric;
  private int[] pred;
  private int[] label;

  @Setup(Level.Trial)
  public void setUp() {
    Common.offline();
    float[] px = Common.uniform(3 * 375 * 500, 1f, 1L);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.floor(px[i] * 255);
    }
    image = new RgbImage(px, 375, 500);
    manager = NDManager.newBaseManager();
    resized = manager.zeros(new Shape(1, 3, 336, 448));
    windowLogits = manager.create(Common.uniform(6 * classes * 14 * 14, 1f, 2L), new Shape(6, classes, 14, 14));
    metric = new IoUAccumulator(classes, 255);
    Random r = new Random(3);
    pred = new int[375 * 500];
    label = new int[375 * 500];
    for (int i = 0; i < pred.length; i++) {
      pred[i] = r.nextInt(classes);
      label[i] = r.nextInt(20) == 0 ? 255 : r.nextInt(classes);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public RgbImage resize() {
    return CvResize.linear(image, 336, 448);
  }

  @Benchmark
  public float slideAggregation() {
    try (NDManager scope = manager.newSubManager()) {
      NDArray img = resized.duplicate();
      img.attach(scope);
      int[] next = {0};
      NDArray out = SlideInference.run(w -> {
        int b = (int) w.getShape().get(0);
        NDArray part = windowLogits.get(next[0] + ":" + (next[0] + b));
        part.attach(w.getManager());
        next[0] += b;
        return part;
      }, classes, img, 224, 112, 16, 375, 500);
      return out.getFloat(0, 0, 0);
    }
  }

  /** Window logits to labels without a threshold, before: the full [Q, 375, 500] scores, then an argmax over Q. */
  @Benchmark
  public int labelsFromFullScores() {
    try (NDManager scope = manager.newSubManager()) {
      SlideInference.Aggregation agg = aggregation(scope);
      long[] top = agg.full().argMax(0).toLongArray();
      return (int) top[top.length - 1];
    }
  }

  /** The same as the evaluator makes it now: 4 MB bands of pixel-major scores, argmax over their last axis. */
  @Benchmark
  public int labelsFromBands() {
    try (NDManager scope = manager.newSubManager()) {
      SlideInference.Aggregation agg = aggregation(scope);
      int rows = Math.max(1, (1 << 20) / (classes * 500));
      long last = 0;
      for (int y0 = 0; y0 < 375; y0 += rows) {
        try (NDManager band = scope.newSubManager()) {
          long[] top = agg.band(band, y0, Math.min(375, y0 + rows)).argMax(1).toLongArray();
          last = top[top.length - 1];
        }
      }
      return (int) last;
    }
  }

  private SlideInference.Aggregation aggregation(NDManager scope) {
    NDArray img = resized.duplicate();
    img.attach(scope);
    return SlideInference.runAll(w -> {
      NDArray all = windowLogits.duplicate();
      all.attach(w.getManager());
      return all;
    }, classes, java.util.List.of(img), 224, 112, 16, java.util.List.of(new int[] {375, 500})).get(0);
  }

  @Benchmark
  public long iouUpdate() {
    metric.add(pred, label);
    return metric.images();
  }
}

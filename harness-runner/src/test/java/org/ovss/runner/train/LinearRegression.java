package org.ovss.runner.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ovss.api.Trainable;
import org.ovss.clip.io.SafetensorsWriter;

/**
 * A {@link Trainable} for the engine's tests: least squares {@code y = X w + b} on fixed synthetic
 * data, each step's batch drawn from {@code (seed, step)} as the contract asks.
 */
final class LinearRegression implements Trainable, AutoCloseable {

  static final int FEATURES = 8;
  static final int SAMPLES = 256;
  static final int BATCH = 32;
  static final String EXPORTED = "linear.safetensors";

  /** The settings every test that compares runs uses; a resumed run must repeat them exactly. */
  static final Map<String, String> CONFIG =
      Map.of("lr", "0.05", "weight-decay", "0.01", "warmup-steps", "5", "checkpoint-every", "10");

  private final NDManager manager = NDManager.newBaseManager();
  private final float[] x = new float[SAMPLES * FEATURES];
  private final float[] y = new float[SAMPLES];
  private final NDArray weight;
  private final NDArray bias;

  /** The data and the initial parameters come from {@code dataSeed}, not from the run's seed. */
  LinearRegression(long dataSeed) {
    Random r = new Random(dataSeed);
    float[] truth = new float[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      truth[j] = (float) r.nextGaussian();
    }
    for (int i = 0; i < SAMPLES; i++) {
      double sum = 0.5;
      for (int j = 0; j < FEATURES; j++) {
        x[i * FEATURES + j] = (float) r.nextGaussian();
        sum += truth[j] * x[i * FEATURES + j];
      }
      y[i] = (float) (sum + 0.01 * r.nextGaussian());
    }
    float[] w0 = new float[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      w0[j] = (float) (0.1 * r.nextGaussian());
    }
    // a (FEATURES, 1) matrix, so weight decay applies to it and not to the bias
    weight = manager.create(w0, new Shape(FEATURES, 1));
    bias = manager.create(new float[] {0f}, new Shape(1));
  }

  @Override
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("weight", weight);
    params.put("bias", bias);
    return params;
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Random r = new Random(seed * 1_000_003L + step);
    float[] xb = new float[BATCH * FEATURES];
    float[] yb = new float[BATCH];
    for (int i = 0; i < BATCH; i++) {
      int row = r.nextInt(SAMPLES);
      System.arraycopy(x, row * FEATURES, xb, i * FEATURES, FEATURES);
      yb[i] = y[row];
    }
    NDArray prediction = scope.create(xb, new Shape(BATCH, FEATURES)).matMul(weight).add(bias);
    return prediction.sub(scope.create(yb, new Shape(BATCH, 1))).square().mean();
  }

  @Override
  public Path export(Path directory) {
    Path file = directory.resolve(EXPORTED);
    SafetensorsWriter.write(
        file,
        List.of(
            SafetensorsWriter.Tensor.ofFloats("weight", new long[] {FEATURES, 1}, weight.toFloatArray()),
            SafetensorsWriter.Tensor.ofFloats("bias", new long[] {1}, bias.toFloatArray())),
        Map.of());
    return file;
  }

  /** The weight followed by the bias. */
  float[] values() {
    float[] all = new float[FEATURES + 1];
    System.arraycopy(weight.toFloatArray(), 0, all, 0, FEATURES);
    all[FEATURES] = bias.toFloatArray()[0];
    return all;
  }

  @Override
  public void close() {
    manager.close();
  }
}

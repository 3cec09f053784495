package org.ovss.runner.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;

/**
 * The optimiser and schedule against values worked out independently of the engine: by hand, or by
 * the textbook AdamW in plain Java doubles.
 */
class AdamWTest {

  private final NDManager manager = NDManager.newBaseManager();
  @TempDir Path dir;

  @AfterEach
  void close() {
    manager.close();
  }

  /** Parameters with a loss given as a function of the step's scope and the step. */
  private static class Model implements Trainable {
    private final Map<String, NDArray> parameters;
    private final BiFunction<NDManager, Integer, NDArray> lossOf;

    Model(Map<String, NDArray> parameters, BiFunction<NDManager, Integer, NDArray> lossOf) {
      this.parameters = parameters;
      this.lossOf = lossOf;
    }

    @Override
    public Map<String, NDArray> parameters() {
      return parameters;
    }

    @Override
    public NDArray loss(NDManager scope, int step, long seed) {
      return lossOf.apply(scope, step);
    }

    @Override
    public Path export(Path directory) {
      return directory.resolve("unused");
    }
  }

  private static Map<String, String> settings(String... keyValues) {
    Map<String, String> config = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return config;
  }

  @Test
  void scalarFollowsTheAdamWFormulaAndTheSchedule() {
    NDArray w = manager.create(0f);
    Model model = new Model(Map.of("w", w), (scope, step) -> w.sub(3f).square().mul(0.5f));
    List<Double> lrs = new ArrayList<>();
    List<Float> values = new ArrayList<>();
    // weight decay must not touch a scalar; a large clip threshold keeps clipping out of the way
    Map<String, String> config =
        settings("lr", "0.1", "warmup-steps", "2", "min-lr", "0.01", "weight-decay", "0.5", "clip-norm", "100");
    new DjlTrainingEngine()
        .fit(model, new TrainSpec(dir, 4, 7, config), (step, total, loss, lr) -> {
          lrs.add(lr);
          values.add(w.getFloat());
        });

    // warm-up 0.1 * 1/2, 0.1 * 2/2; cosine over the 2 remaining steps: 0.1 at progress 0,
    // 0.01 + 0.5 * 0.09 * (1 + cos(pi / 2)) = 0.055 at progress 1/2
    assertThat(lrs.stream().mapToDouble(Double::doubleValue).toArray())
        .containsExactly(new double[] {0.05, 0.1, 0.1, 0.055}, within(1e-12));
    // step 1 by hand: g = -3, m = -0.3, v = 0.18, mhat = -3, vhat = 9: w = 0.05 * 3 / (3 + 1e-6)
    assertThat(values.get(0)).isCloseTo(0.0499999833f, within(1e-7f));

    double expected = 0;
    double m = 0;
    double v = 0;
    for (int t = 1; t <= 4; t++) {
      double g = expected - 3;
      m = 0.9 * m + 0.1 * g;
      v = 0.98 * v + 0.02 * g * g;
      double mHat = m / (1 - Math.pow(0.9, t));
      double vHat = v / (1 - Math.pow(0.98, t));
      expected -= lrs.get(t - 1) * mHat / (Math.sqrt(vHat) + 1e-6);
      assertThat((double) values.get(t - 1)).as("w after step %d", t).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void weightDecayAppliesOnlyToParametersOfTwoOrMoreDimensions() {
    NDArray matrix = manager.ones(new Shape(2, 2));
    NDArray vector = manager.ones(new Shape(2));
    NDArray scalar = manager.create(1f);
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("matrix", matrix);
    params.put("vector", vector);
    params.put("scalar", scalar);
    // a zero gradient makes the Adam step 0 / (0 + eps) = 0, leaving only the decay
    Model model =
        new Model(params, (scope, step) -> matrix.sum().add(vector.sum()).add(scalar).mul(0f));
    Map<String, String> config =
        settings("lr", "0.1", "min-lr", "0.1", "warmup-steps", "0", "weight-decay", "0.5");
    new DjlTrainingEngine().fit(model, new TrainSpec(dir, 3, 7, config), (s, t, l, lr) -> { });

    // each step multiplies by 1 - lr * wd = 0.95: 0.95^3 = 0.857375
    for (float value : matrix.toFloatArray()) {
      assertThat(value).isCloseTo(0.857375f, within(1e-6f));
    }
    assertThat(vector.toFloatArray()).containsExactly(1f, 1f);
    assertThat(scalar.getFloat()).isEqualTo(1f);
  }

  @Test
  void theModelsWeightDecayRuleAndLearningRateScalesApply() {
    NDArray matrix = manager.ones(new Shape(2, 2));
    NDArray scalar = manager.create(1f);
    NDArray half = manager.ones(new Shape(2));
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("matrix", matrix);
    params.put("scalar", scalar);
    params.put("half", half);
    // a zero gradient leaves only the decay; the rule spares the matrix and decays the scalar and the vector
    Trainable model = new Model(params, (scope, step) -> matrix.sum().add(scalar).add(half.sum()).mul(0f)) {
      @Override
      public boolean decays(String name, NDArray parameter) {
        return !name.equals("matrix");
      }

      @Override
      public double learningRateScale(String name) {
        return name.equals("half") ? 0.5 : 1;
      }
    };
    Map<String, String> config = settings("lr", "0.1", "min-lr", "0.1", "warmup-steps", "0", "weight-decay", "0.5");
    new DjlTrainingEngine().fit(model, new TrainSpec(dir, 3, 7, config), (s, t, l, lr) -> { });
    assertThat(matrix.toFloatArray()).containsOnly(1f);
    // 1 - lr wd = 0.95 per step; at half the rate 1 - 0.5 lr wd = 0.975
    assertThat(scalar.getFloat()).isCloseTo(0.857375f, within(1e-6f));
    for (float value : half.toFloatArray()) {
      assertThat((double) value).isCloseTo(Math.pow(0.975, 3), within(1e-6));
    }
  }

  @Test
  void aLearningRateScaleScalesTheAdamStep() {
    NDArray a = manager.zeros(new Shape(1));
    NDArray b = manager.zeros(new Shape(1));
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("a", a);
    params.put("b", b);
    Trainable model = new Model(params, (scope, step) -> a.mul(3f).add(b.mul(3f)).sum()) {
      @Override
      public double learningRateScale(String name) {
        return name.equals("a") ? 0.25 : 1;
      }
    };
    // eps 1: the first step is lr g / (|g| + 1) = 0.1 * 3 / 4
    Map<String, String> config =
        settings("lr", "0.1", "eps", "1", "weight-decay", "0", "warmup-steps", "0", "clip-norm", "100");
    new DjlTrainingEngine().fit(model, new TrainSpec(dir, 1, 7, config), (s, t, l, lr) -> { });
    assertThat((double) a.getFloat(0)).isCloseTo(-0.25 * 0.075, within(1e-7));
    assertThat((double) b.getFloat(0)).isCloseTo(-0.075, within(1e-7));
  }

  @Test
  void aWarmupStartLrRaisesTheFirstWarmupSteps() {
    TrainSettings s = TrainSettings.of(new TrainSpec(dir, 100, 0,
        settings("lr", "1e-3", "min-lr", "1e-4", "warmup-steps", "10", "warmup-start-lr", "1e-4")));
    // s + (lr - s) (step + 1) / W
    assertThat(s.learningRate(0)).isCloseTo(1.9e-4, within(1e-12));
    assertThat(s.learningRate(9)).isCloseTo(1e-3, within(1e-12));
    assertThat(s.learningRate(55)).isCloseTo(5.5e-4, within(1e-12));
  }

  /** timm's CosineLRScheduler as GroupViT builds it (t_initial = all steps, no warm-up prefix). */
  @Test
  void theTimmCosineScheduleWarmsUpFromItsStartAndCountsTheCosineFromStepZero() {
    TrainSettings s = TrainSettings.of(new TrainSpec(dir, 30, 0, settings("lr", "1.6e-3", "min-lr", "4e-5",
        "warmup-steps", "2", "warmup-start-lr", "4e-6", "schedule", "timm-cosine")));
    // warm-up s + (lr - s) t / W: 4e-6 at t = 0, halfway at t = 1
    assertThat(s.learningRate(0)).isCloseTo(4e-6, within(1e-15));
    assertThat(s.learningRate(1)).isCloseTo(4e-6 + (1.6e-3 - 4e-6) / 2, within(1e-15));
    // then min + (lr - min) (1 + cos(pi t / T)) / 2: at t = 2 already below lr, at t = 15 the midpoint
    assertThat(s.learningRate(2)).isCloseTo(4e-5 + 0.5 * (1.6e-3 - 4e-5) * (1 + Math.cos(Math.PI * 2 / 30)),
        within(1e-15));
    assertThat(s.learningRate(15)).isCloseTo(4e-5 + 0.5 * (1.6e-3 - 4e-5), within(1e-15));
  }

  @Test
  void clippingScalesAllGradientsByTheGlobalNorm() throws Exception {
    // gradients (3, 4): global norm 5. With eps = 1 the first step is lr * g / (|g| + 1), so it
    // shows the magnitude of each (clipped) gradient, not only its sign
    assertThat(firstStep("1", dir.resolve("clipped")))
        .containsExactly(new double[] {-0.1 * 0.6 / 1.6, -0.1 * 0.8 / 1.8}, within(1e-7));
    assertThat(firstStep("10", dir.resolve("unclipped")))
        .containsExactly(new double[] {-0.1 * 3 / 4, -0.1 * 4 / 5.0}, within(1e-7));
    String line = Files.readAllLines(dir.resolve("clipped/train-log.jsonl")).get(0);
    assertThat(new ObjectMapper().readTree(line).get("gradNorm").asDouble()).isCloseTo(5, within(1e-6));
  }

  private double[] firstStep(String clipNorm, Path out) {
    NDArray a = manager.zeros(new Shape(1));
    NDArray b = manager.zeros(new Shape(1));
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("a", a);
    params.put("b", b);
    Model model = new Model(params, (scope, step) -> a.mul(3f).add(b.mul(4f)).sum());
    Map<String, String> config =
        settings("lr", "0.1", "eps", "1", "weight-decay", "0", "warmup-steps", "0", "clip-norm", clipNorm);
    new DjlTrainingEngine().fit(model, new TrainSpec(out, 1, 7, config), (s, t, l, lr) -> { });
    return new double[] {a.toFloatArray()[0], b.toFloatArray()[0]};
  }

  @Test
  void scheduleWarmsUpLinearlyThenDecaysByCosine() {
    TrainSettings s =
        TrainSettings.of(new TrainSpec(dir, 100, 0, settings("lr", "1e-3", "min-lr", "1e-4", "warmup-steps", "10")));
    assertThat(s.learningRate(0)).isCloseTo(1e-4, within(1e-12));
    assertThat(s.learningRate(4)).isCloseTo(5e-4, within(1e-12));
    assertThat(s.learningRate(9)).isCloseTo(1e-3, within(1e-12));
    assertThat(s.learningRate(10)).isCloseTo(1e-3, within(1e-12));
    // halfway through the 90 decay steps: min + (lr - min) / 2
    assertThat(s.learningRate(55)).isCloseTo(5.5e-4, within(1e-12));
    assertThat(s.learningRate(99)).isCloseTo(1e-4 + 0.45e-3 * (1 + Math.cos(Math.PI * 89 / 90)), within(1e-12));
  }

  @Test
  void defaultsFollowTheContract() {
    TrainSettings s = TrainSettings.of(new TrainSpec(dir, 200, 0, Map.of("batch-size", "8")));
    assertThat(s.lr()).isEqualTo(5e-4);
    assertThat(s.weightDecay()).isEqualTo(0.05);
    assertThat(s.beta1()).isEqualTo(0.9);
    assertThat(s.beta2()).isEqualTo(0.98);
    assertThat(s.eps()).isEqualTo(1e-6);
    assertThat(s.warmupSteps()).isEqualTo(20);
    assertThat(s.minLr()).isZero();
    assertThat(s.clipNorm()).isEqualTo(1.0);
    assertThat(s.checkpointEvery()).isEqualTo(50);
  }

  @ParameterizedTest
  @CsvSource({
    "lr, abc",
    "weight-decay, -0.1",
    "eps, NaN",
    "beta1, -1",
    "beta2, 1",
    "min-lr, 1",
    "clip-norm, 0",
    "warmup-steps, 2.5",
    "checkpoint-every, 0",
    "warmup-start-lr, 1",
    "schedule, linear"
  })
  void invalidSettingsAreRefusedByName(String key, String value) {
    assertThatThrownBy(() -> TrainSettings.of(new TrainSpec(dir, 10, 0, Map.of(key, value))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'" + key + "'");
  }
}

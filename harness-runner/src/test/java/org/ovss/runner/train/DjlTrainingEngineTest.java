package org.ovss.runner.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.api.OvssException;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;
import org.ovss.datasets.AtomicFiles;

/** Convergence, checkpoints, exact resumption after a crash, and refusing another run's directory. */
class DjlTrainingEngineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void linearRegressionConverges() {
    List<Double> losses = new ArrayList<>();
    try (LinearRegression model = new LinearRegression(1)) {
      TrainResult result =
          new DjlTrainingEngine()
              .fit(model, new TrainSpec(dir, 200, 3, LinearRegression.CONFIG), (s, t, loss, lr) -> losses.add(loss));
      assertThat(result.steps()).isEqualTo(200);
      assertThat(result.finalLoss()).isEqualTo(losses.get(199));
      assertThat(result.checkpoint()).isEqualTo(dir.resolve(LinearRegression.EXPORTED)).isRegularFile();
    }
    double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(195, 200).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).isLessThan(first / 10);
  }

  @Test
  void aRunResumedAfterACrashEndsBitIdenticalToAnUninterruptedOne() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    float[] uninterrupted;
    TrainResult resultA;
    try (LinearRegression model = new LinearRegression(1)) {
      resultA = new DjlTrainingEngine().fit(model, new TrainSpec(a, 30, 3, LinearRegression.CONFIG), TrainListener.NONE);
      uninterrupted = model.values();
    }

    TrainListener crashAt17 =
        (step, total, loss, lr) -> {
          if (step == 17) {
            throw new IllegalStateException("simulated crash");
          }
        };
    try (LinearRegression model = new LinearRegression(1)) {
      assertThatThrownBy(
              () -> new DjlTrainingEngine().fit(model, new TrainSpec(b, 30, 3, LinearRegression.CONFIG), crashAt17))
          .hasMessage("simulated crash");
    }
    assertThat(steps(b)).isEqualTo(IntStream.rangeClosed(1, 17).boxed().toList());
    // a checkpoint directory torn by a kill before its rename, named as every atomic write names its temporary
    Path torn = AtomicFiles.temporarySibling(b.resolve("checkpoints").resolve("step-0000020"));
    Files.createDirectories(torn);
    Files.writeString(torn.resolve("state.json"), "{");
    float[] resumed;
    TrainResult resultB;
    try (LinearRegression model = new LinearRegression(1)) {
      List<Integer> reported = new ArrayList<>();
      resultB =
          new DjlTrainingEngine()
              .fit(model, new TrainSpec(b, 30, 3, LinearRegression.CONFIG), (s, t, l, lr) -> reported.add(s));
      resumed = model.values();
      assertThat(reported).as("steps after the checkpoint at 10").isEqualTo(IntStream.rangeClosed(11, 30).boxed().toList());
    }

    assertThat(Arrays.mismatch(uninterrupted, resumed)).as("first differing weight").isEqualTo(-1);
    assertThat(resultB.finalLoss()).isEqualTo(resultA.finalLoss());
    // steps are counted from 1 in the log, as in checkpoint names and the listener
    assertThat(steps(b)).isEqualTo(IntStream.rangeClosed(1, 30).boxed().toList());
    assertThat(losses(b)).isEqualTo(losses(a));
    try (Stream<Path> s = Files.list(b.resolve("checkpoints"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("step-0000020", "step-0000030");
    }
  }

  @Test
  void aFinishedRunOnlyExportsAgain() throws IOException {
    float[] trained;
    TrainResult first;
    try (LinearRegression model = new LinearRegression(1)) {
      first = new DjlTrainingEngine().fit(model, new TrainSpec(dir, 12, 3, LinearRegression.CONFIG), TrainListener.NONE);
      trained = model.values();
    }
    Files.delete(first.checkpoint());
    List<Integer> reported = new ArrayList<>();
    try (LinearRegression model = new LinearRegression(1)) {
      TrainResult again =
          new DjlTrainingEngine()
              .fit(model, new TrainSpec(dir, 12, 3, LinearRegression.CONFIG), (s, t, l, lr) -> reported.add(s));
      assertThat(Arrays.mismatch(trained, model.values())).isEqualTo(-1);
      assertThat(again).isEqualTo(first);
      assertThat(again.checkpoint()).isRegularFile();
    }
    assertThat(reported).isEmpty();
    assertThat(steps(dir)).hasSize(12);
  }

  @Test
  void zeroStepsExportsTheInitialisation() {
    try (LinearRegression model = new LinearRegression(1)) {
      float[] initial = model.values();
      TrainResult result =
          new DjlTrainingEngine().fit(model, new TrainSpec(dir, 0, 3, LinearRegression.CONFIG), TrainListener.NONE);
      assertThat(result.steps()).isZero();
      assertThat(result.finalLoss()).isNaN();
      assertThat(result.checkpoint()).isRegularFile();
      assertThat(Arrays.mismatch(initial, model.values())).isEqualTo(-1);
    }
    assertThat(dir.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void anotherRunsDirectoryIsRefused() {
    try (LinearRegression model = new LinearRegression(1)) {
      new DjlTrainingEngine().fit(model, new TrainSpec(dir, 10, 3, LinearRegression.CONFIG), TrainListener.NONE);
    }
    try (LinearRegression model = new LinearRegression(1)) {
      assertThatThrownBy(
              () ->
                  new DjlTrainingEngine()
                      .fit(model, new TrainSpec(dir, 10, 4, LinearRegression.CONFIG), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("output directory " + dir + " belongs to another run")
          .hasMessageContaining("seed 3");
    }
  }

  @Test
  void aNonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[] {1f, 2f});
      Trainable diverging =
          new Trainable() {
            @Override
            public Map<String, NDArray> parameters() {
              return Map.of("w", w);
            }

            @Override
            public NDArray loss(NDManager scope, int step, long seed) {
              return w.square().sum().mul(step == 4 ? Float.NaN : 1f);
            }

            @Override
            public Path export(Path directory) {
              throw new AssertionError("a diverged run must not export");
            }
          };
      Map<String, String> config = Map.of("checkpoint-every", "2");
      assertThatThrownBy(() -> new DjlTrainingEngine().fit(diverging, new TrainSpec(dir, 10, 3, config), TrainListener.NONE))
          .isInstanceOf(OvssException.class)
          .hasMessageContaining("step 5 of 10");
    }
    assertThat(dir.resolve("checkpoints/step-0000004/state.json")).isRegularFile();
  }

  private static List<Integer> steps(Path run) throws IOException {
    return log(run).stream().map(e -> e.get("step").asInt()).toList();
  }

  private static List<Double> losses(Path run) throws IOException {
    return log(run).stream().map(e -> e.get("loss").asDouble()).toList();
  }

  private static List<JsonNode> log(Path run) throws IOException {
    List<JsonNode> entries = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("train-log.jsonl"))) {
      entries.add(JSON.readTree(line));
    }
    return entries;
  }
}

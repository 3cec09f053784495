package org.ovss.runner.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.TrainListener;
import org.ovss.clip.io.TensorFile;

/**
 * A training process killed with SIGKILL mid-run and started again ends with the same weights, bit
 * for bit, as a run that was never interrupted.
 */
class TrainKillResumeTest {

  private static final int STEPS = 240;
  private static final String CHECKPOINT_EVERY = "20";

  @TempDir Path dir;

  @Test
  void aKilledRunRestartedOnItsDirectoryMatchesAnUninterruptedRun() throws Exception {
    Path killed = dir.resolve("killed");
    Path console = dir.resolve("console.txt");

    Process first = start(killed, console);
    Path checkpoint = killed.resolve("checkpoints").resolve(Checkpoints.dirName(60));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.isDirectory(checkpoint)) {
      assertThat(first.isAlive()).as(() -> "trainer still running; its output: " + output(console)).isTrue();
      assertThat(System.nanoTime()).as("waiting for %s", checkpoint).isLessThan(deadline);
      Thread.sleep(20);
    }
    first.destroyForcibly().waitFor();
    assertThat(killed.resolve("checkpoints").resolve(Checkpoints.dirName(STEPS)))
        .as("the kill came before the end")
        .doesNotExist();

    Process second = start(killed, console);
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("restarted trainer finished").isTrue();
    assertThat(second.exitValue()).as(() -> "exit status; output: " + output(console)).isZero();
    List<Integer> firstSteps =
        output(console)
            .lines()
            .filter(l -> l.startsWith(LinearTrainMain.FIRST_STEP))
            .map(l -> Integer.parseInt(l.substring(LinearTrainMain.FIRST_STEP.length()).strip()))
            .toList();
    assertThat(firstSteps).as("first step of each process").hasSize(2).startsWith(1);
    assertThat(firstSteps.get(1)).as("the restart resumed from a checkpoint").isGreaterThan(60);

    float[] uninterrupted;
    try (LinearRegression model = new LinearRegression(1)) {
      new DjlTrainingEngine()
          .fit(model, LinearTrainMain.spec(dir.resolve("straight"), STEPS, CHECKPOINT_EVERY), TrainListener.NONE);
      uninterrupted = model.values();
    }
    float[] resumed = new float[uninterrupted.length];
    try (TensorFile weights = TensorFile.open(killed.resolve(LinearRegression.EXPORTED))) {
      float[] w = weights.readFloats("weight");
      System.arraycopy(w, 0, resumed, 0, w.length);
      resumed[w.length] = weights.readFloats("bias")[0];
    }
    assertThat(Arrays.mismatch(uninterrupted, resumed)).as("first differing weight").isEqualTo(-1);

    ObjectMapper json = new ObjectMapper();
    List<Integer> logged = new ArrayList<>();
    for (String line : Files.readAllLines(killed.resolve("train-log.jsonl"))) {
      logged.add(json.readTree(line).get("step").asInt());
    }
    assertThat(logged).isEqualTo(IntStream.rangeClosed(1, STEPS).boxed().toList());
  }

  /** Starts {@link LinearTrainMain} in a new JVM with this one's java binary and class path. */
  private static Process start(Path out, Path console) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Dai.djl.offline=true",
            "-cp",
            System.getProperty("java.class.path"),
            LinearTrainMain.class.getName(),
            out.toString(),
            Integer.toString(STEPS),
            CHECKPOINT_EVERY,
            "15");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
    return pb.start();
  }

  private static String output(Path console) {
    try {
      return Files.exists(console) ? Files.readString(console) : "(none)";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}

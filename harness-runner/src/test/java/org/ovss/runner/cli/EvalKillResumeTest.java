package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;
import org.ovss.runner.eval.EvalCheckpoint;
import org.ovss.runner.eval.RunLock;

/**
 * {@code ovss eval} killed with SIGKILL at random moments and started again with the same arguments until it
 * finishes ends with the metrics, per-class results and prediction PNGs of a run that was never interrupted; the
 * killed runs use one engine thread and the uninterrupted one the default, so this also checks that results do not
 * depend on the thread count.
 */
class EvalKillResumeTest {
  private static final int IMAGES = 24;
  private static final int KILLS = 3;

  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void killedAtRandomAndRestartedGivesTheResultsOfAnUninterruptedRun() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 11L, dir.resolve("clip.safetensors"));
    List<String> ids = IntStream.range(0, IMAGES).mapToObj(i -> String.format("2008_%06d", i)).toList();
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), ids, 40, 52);
    Path straight = dir.resolve("straight");
    Path killed = dir.resolve("killed");
    Path log = dir.resolve("child.log");

    assertThat(Main.execute(args(weights, root, straight).toArray(String[]::new))).as(console.err()).isZero();

    Random random = new Random(20261123L);
    int resumedFromProgress = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      long before = Files.exists(killed.resolve(EvalCheckpoint.FILE)) ? imagesDone(killed) : 0;
      Process child = start(weights, root, killed, log);
      if (kill == 0) {
        // Anywhere from JVM start-up to mid-run, where there may be no checkpoint yet.
        Thread.sleep(200 + random.nextInt(2500));
      } else {
        waitForProgress(child, killed, before, log);
        Thread.sleep(random.nextInt(150));
      }
      if (!child.isAlive()) {
        break; // it finished first; the last run below then has nothing left to do
      }
      child.destroyForcibly().waitFor();
      assertThat(killed.resolve("results.json")).as("killed before finishing").doesNotExist();
    }
    Process last = start(weights, root, killed, log);
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last run finished").isTrue();
    assertThat(last.exitValue()).as(() -> "exit status; output: " + read(log)).isZero();
    for (String line : read(log).lines().filter(l -> l.startsWith("resuming from")).toList()) {
      resumedFromProgress = Math.max(resumedFromProgress, Integer.parseInt(line.replaceAll(".*: (\\d+) image.*", "$1")));
    }
    assertThat(resumedFromProgress).as("a restart resumed after some images; output: %s", read(log)).isPositive();

    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(straight.resolve("results.json").toFile());
    JsonNode b = json.readTree(killed.resolve("results.json").toFile());
    assertThat(b.get("images").asInt()).isEqualTo(IMAGES);
    assertThat(b.get("metrics")).isEqualTo(a.get("metrics"));
    assertThat(b.get("classes")).isEqualTo(a.get("classes"));
    assertThat(b.get("protocolSha256")).isEqualTo(a.get("protocolSha256"));
    for (String id : ids) {
      assertThat(killed.resolve("predictions/" + id + ".png")).hasSameBinaryContentAs(straight.resolve("predictions/" + id + ".png"));
    }
    assertThat(killed.resolve(EvalCheckpoint.FILE)).as("removed once results are written").doesNotExist();
    assertThat(killed.resolve(RunLock.FILE)).as("released").doesNotExist();
    try (Stream<Path> files = Files.walk(killed)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private static List<String> args(Path weights, Path root, Path out) {
    return List.of("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", out.toString(), "--save-predictions",
        "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts", "a-photo-of");
  }

  private static Process start(Path weights, Path root, Path out, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-Dai.djl.offline=true", "-Dovss.eval.checkpoint-seconds=0",
        // the uninterrupted run uses the engine's default (one intra-op thread per core): results must not depend on it
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(args(weights, root, out));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("OPT_OUT_TRACKING", "true");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  /** Waits until the child's checkpoint covers more images than {@code before} (or the child ends). */
  private static void waitForProgress(Process child, Path out, long before, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (child.isAlive() && (!Files.exists(out.resolve(EvalCheckpoint.FILE)) || imagesDone(out) <= before)) {
      assertThat(System.nanoTime()).as(() -> "waiting for progress; output: " + read(log)).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static long imagesDone(Path out) {
    try {
      return new ObjectMapper().readTree(out.resolve(EvalCheckpoint.FILE).toFile()).get("images").asLong();
    } catch (IOException e) {
      return 0; // gone between the check and the read (the run finished)
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "(none)";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;
import org.ovss.runner.eval.ShardWorker;

/**
 * {@code ovss run --spark local[2]} and {@code ovss eval --spark}: an embedded Spark gives the metrics of
 * {@code ovss eval} cell by cell, also when tasks fail on their first attempt, and a second run evaluates nothing.
 * (In the package of the runner's CLI tests, whose helpers it uses.)
 */
class SparkRunTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void aPlanOnSparkEqualsOneEvalPerCellAndASecondRunEvaluatesNothing() throws Exception {
    Path plan = RunCommandTest.planOf(dir, "");
    assertThat(Main.execute("run", plan.toString(), "--spark", "local[2]")).as(console.err()).isZero();
    assertThat(console.err()).contains("spark: starting local[2]").contains("spark sclip on voc21");
    String firstBoard = RunCommandTest.board(console.out());
    Path runs = dir.resolve("runs");
    for (String[] c : new String[][] {{"a", "sclip", "a.safetensors"}, {"b", "maskclip", "b.safetensors"}}) {
      for (String dataset : List.of("voc21", "voc20")) {
        JsonNode expected = RunCommandTest.eval(dir, c[1], c[2], dataset);
        JsonNode got = RunCommandTest.cell(runs, c[0], dataset);
        assertThat(got.get("metrics")).as(c[0] + " " + dataset).isEqualTo(expected.get("metrics"));
        assertThat(got.get("classes")).isEqualTo(expected.get("classes"));
        assertThat(got.get("images").asInt()).isEqualTo(3);
        // executors open the method on the engine `ovss eval` chooses (ONNX Runtime for these two)
        assertThat(got.at("/provenance/execution")).isEqualTo(expected.at("/provenance/execution"));
        assertThat(got.at("/provenance/execution/engine").asText()).isEqualTo("onnxruntime");
      }
    }
    assertThat(runs.resolve("cells/b/voc21@sclip/predictions/x2.png")).exists();

    console.reset();
    assertThat(Main.execute("run", plan.toString(), "--spark", "local[2]")).as(console.err()).isZero();
    assertThat(console.err()).doesNotContain("spark: starting");
    assertThat(console.err().split("skipped", -1)).hasSize(5);
    assertThat(RunCommandTest.board(console.out())).isEqualTo(firstBoard);
  }

  @Test
  void tasksFailingOnTheirFirstAttemptAreRetriedAndTheResultIsTheSame() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 9L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a", "b", "c", "d", "e"), 40, 52);
    String[] base = {"eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts",
        "a-photo-of", "--save-predictions"};
    assertThat(Main.execute(EvalCommandTest.concat(base, "--out", dir.resolve("local").toString()))).isZero();
    int openedBefore = ShardWorker.openedCount();
    System.setProperty("spark.ovss.test.failFirstAttempt", "a,c");
    try {
      // local[2,2]: two task threads, a task may fail twice (local mode's retry count comes with the master)
      assertThat(Main.execute(EvalCommandTest.concat(base, "--out", dir.resolve("spark").toString(), "--spark",
          "local[2,2]", "--shard-images", "1"))).as(console.err()).isZero();
    } finally {
      System.clearProperty("spark.ovss.test.failFirstAttempt");
    }
    assertThat(console.err()).contains("injected failure of attempt 0 of the shard holding a");
    // five shards, two task threads: the method was opened once per concurrent task, never per shard
    assertThat(ShardWorker.openedCount() - openedBefore).isBetween(1, 2);
    JsonNode a = new ObjectMapper().readTree(dir.resolve("local/results.json").toFile());
    JsonNode b = new ObjectMapper().readTree(dir.resolve("spark/results.json").toFile());
    assertThat(b.get("metrics")).isEqualTo(a.get("metrics"));
    assertThat(b.get("classes")).isEqualTo(a.get("classes"));
    assertThat(b.get("images").asInt()).isEqualTo(5);
    for (String id : List.of("a", "b", "c", "d", "e")) {
      assertThat(dir.resolve("spark/predictions/" + id + ".png")).hasSameBinaryContentAs(
          dir.resolve("local/predictions/" + id + ".png"));
    }
  }

  @Test
  void engineAndPrecisionReachTheExecutors() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 11L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a", "b", "c"), 40, 52);
    String[] base = {"eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts",
        "a-photo-of", "--engine", "onnxruntime", "--precision", "int8"};
    assertThat(Main.execute(EvalCommandTest.concat(base, "--out", dir.resolve("local").toString()))).isZero();
    assertThat(Main.execute(EvalCommandTest.concat(base, "--out", dir.resolve("spark").toString(), "--spark",
        "local[1]", "--shard-images", "2"))).as(console.err()).isZero();
    JsonNode a = new ObjectMapper().readTree(dir.resolve("local/results.json").toFile());
    JsonNode b = new ObjectMapper().readTree(dir.resolve("spark/results.json").toFile());
    assertThat(b.at("/provenance/execution/precision").asText()).isEqualTo("int8");
    assertThat(b.at("/provenance/execution")).isEqualTo(a.at("/provenance/execution"));
    assertThat(b.get("protocolSha256")).isEqualTo(a.get("protocolSha256"));
    assertThat(b.get("metrics")).isEqualTo(a.get("metrics"));
  }

  @Test
  void aCellCutShortOnSparkResumesAfterItsLastFinishedWave() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 12L, dir.resolve("clip.safetensors"));
    List<String> ids = List.of("a", "b", "c", "d", "e", "f");
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), ids, 40, 52);
    String[] base = {"eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts",
        "a-photo-of"};
    assertThat(Main.execute(EvalCommandTest.concat(base, "--out", dir.resolve("local").toString()))).isZero();
    Path out = dir.resolve("spark");
    String[] spark = EvalCommandTest.concat(base, "--out", out.toString(), "--spark", "local[2,1]", "--shard-images", "1");
    // local[2]: waves of four one-image shards; the shard of "e" (second wave) fails every attempt
    System.setProperty("spark.ovss.test.failAlways", "e");
    try {
      assertThat(Main.execute(spark)).isNotZero();
    } finally {
      System.clearProperty("spark.ovss.test.failAlways");
    }
    assertThat(out.resolve("results.json")).doesNotExist();
    JsonNode checkpoint = new ObjectMapper().readTree(out.resolve("checkpoint.json").toFile());
    assertThat(checkpoint.get("images").asInt()).isEqualTo(4);

    console.reset();
    assertThat(Main.execute(spark)).as(console.err()).isZero();
    assertThat(console.err()).contains("resuming from").contains("4 image(s) already evaluated");
    JsonNode a = new ObjectMapper().readTree(dir.resolve("local/results.json").toFile());
    JsonNode b = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(b.get("images").asInt()).isEqualTo(6);
    assertThat(b.get("metrics")).isEqualTo(a.get("metrics"));
    assertThat(b.get("classes")).isEqualTo(a.get("classes"));
    assertThat(out.resolve("checkpoint.json")).doesNotExist();
  }
}

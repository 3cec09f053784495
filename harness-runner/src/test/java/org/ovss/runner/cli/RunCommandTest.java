package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;

/** {@code ovss run PLAN.json}: cells equal to {@code ovss eval}, skipped when done, failures summarised. */
class RunCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  static final String OVERRIDES = "\"overrides\": {\"shortSide\": \"48\", \"crop\": \"32\", \"stride\": \"16\","
      + " \"prompts\": \"a-photo-of\"}";

  /** Two tiny CLIPs, a VOC layout and a plan of sclip and maskclip on voc21 and voc20 (paths relative to the plan). */
  static Path planOf(Path dir, String extraMethod) throws Exception {
    ClipPresets.writeRandom("tiny", 3L, dir.resolve("a.safetensors"));
    ClipPresets.writeRandom("tiny", 4L, dir.resolve("b.safetensors"));
    EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("x1", "x2", "x3"), 40, 52);
    Path plan = dir.resolve("plan.json");
    Files.writeString(plan, "{\"methods\": [{\"method\": \"sclip\", \"weights\": \"a.safetensors\", \"label\": \"a\"},"
        + " {\"method\": \"maskclip\", \"weights\": \"b.safetensors\", \"label\": \"b\"}" + extraMethod + "],"
        + " \"datasets\": [{\"dataset\": \"voc21\", \"dataRoot\": \"VOC2012\"}, {\"dataset\": \"voc20\", \"dataRoot\":"
        + " \"VOC2012\"}], \"protocol\": \"sclip\", " + OVERRIDES + ", \"out\": \"runs\", \"savePredictions\": true}");
    return plan;
  }

  /** What {@code ovss eval} writes for one cell of {@link #planOf}. */
  static JsonNode eval(Path dir, String method, String weights, String dataset) throws Exception {
    Path out = dir.resolve("eval-" + method + "-" + dataset);
    int code = Main.execute("eval", "--method", method, "--weights", dir.resolve(weights).toString(), "--dataset",
        dataset, "--data-root", dir.resolve("VOC2012").toString(), "--protocol", "sclip", "--short-side", "48",
        "--crop", "32", "--stride", "16", "--prompts", "a-photo-of", "--out", out.toString());
    assertThat(code).isZero();
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  static JsonNode cell(Path runs, String row, String dataset) throws Exception {
    return new ObjectMapper().readTree(runs.resolve("cells/" + row + "/" + dataset + "@sclip/results.json").toFile());
  }

  /** The board without the line that says when it was rendered. */
  static String board(String out) {
    return out.lines().filter(l -> !l.matches(".*\\d{4}-\\d{2}-\\d{2}.*")).reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void aPlanEqualsOneEvalPerCellAndASecondRunEvaluatesNothing() throws Exception {
    Path plan = planOf(dir, "");
    assertThat(Main.execute("run", plan.toString())).as(console.err()).isZero();
    String firstBoard = board(console.out());
    assertThat(console.err()).contains("cell 1/4 a on voc21 @ sclip").contains("cell 4/4 b on voc20 @ sclip");
    Path runs = dir.resolve("runs");
    for (String[] c : new String[][] {{"a", "sclip", "a.safetensors"}, {"b", "maskclip", "b.safetensors"}}) {
      for (String dataset : List.of("voc21", "voc20")) {
        JsonNode expected = eval(dir, c[1], c[2], dataset);
        JsonNode got = cell(runs, c[0], dataset);
        assertThat(got.get("metrics")).as(c[0] + " " + dataset).isEqualTo(expected.get("metrics"));
        assertThat(got.get("classes")).isEqualTo(expected.get("classes"));
        assertThat(got.get("weightsLabel").asText()).isEqualTo(c[0]);
        // a plan without engine keys runs each method on the engine `ovss eval` chooses by default
        assertThat(got.at("/provenance/execution")).isEqualTo(expected.at("/provenance/execution"));
      }
    }
    assertThat(runs.resolve("cells/a/voc20@sclip/predictions/x3.png")).exists();
    assertThat(runs.resolve("report.html")).exists();
    assertThat(runs.resolve("leaderboard.csv")).exists();
    assertThat(Files.readString(runs.resolve("leaderboard.md"))).contains("voc20");
    assertThat(firstBoard).contains("| a").contains("| b");

    console.reset();
    assertThat(Main.execute("run", plan.toString())).as(console.err()).isZero();
    assertThat(console.err().split("skipped", -1)).hasSize(5);
    assertThat(console.err()).doesNotContain("eval sclip on").doesNotContain("eval maskclip on");
    assertThat(board(console.out())).isEqualTo(firstBoard);

    console.reset();
    assertThat(Main.execute("run", plan.toString(), "--dry-run")).isZero();
    assertThat(console.out().lines().filter(l -> l.contains(" done ")).count()).as(console.out()).isEqualTo(4);
  }

  @Test
  void aFailingCellIsSummarisedAndTheOthersStillRun() throws Exception {
    Path plan = planOf(dir, ", {\"method\": \"sclip\", \"weights\": \"missing.safetensors\", \"label\": \"gone\"}");
    assertThat(Main.execute("run", plan.toString(), "--dry-run")).isZero();
    assertThat(console.out()).contains("to do").contains("error").contains("missing.safetensors");
    console.reset();
    assertThat(Main.execute("run", plan.toString())).isEqualTo(1);
    assertThat(console.err()).contains("2 of 6 cells failed").contains("gone on voc21 @ sclip");
    assertThat(cell(dir.resolve("runs"), "b", "voc20").get("images").asInt()).isEqualTo(3);
  }

  @Test
  void engineKeysChooseEachRowsEngineAndPrecision() throws Exception {
    Path plan = planOf(dir, "");
    String text = Files.readString(plan)
        .replace("\"label\": \"b\"}", "\"label\": \"b\", \"engine\": \"onnxruntime\", \"precision\": \"int8\"}")
        .replace("\"out\": \"runs\"", "\"out\": \"runs\", \"engine\": \"pytorch\"");
    Files.writeString(plan, text);
    assertThat(Main.execute("run", plan.toString())).as(console.err()).isZero();
    Path runs = dir.resolve("runs");
    JsonNode a = cell(runs, "a", "voc21");
    JsonNode b = cell(runs, "b", "voc21");
    assertThat(a.at("/provenance/execution/engine").asText()).isEqualTo("pytorch");
    assertThat(b.at("/provenance/execution/engine").asText()).isEqualTo("onnxruntime");
    assertThat(b.at("/provenance/execution/precision").asText()).isEqualTo("int8");
    // int8 is part of what the protocol hash covers, so such a cell never shares a board column with fp32 cells
    JsonNode fp32 = eval(dir, "maskclip", "b.safetensors", "voc21");
    assertThat(b.get("protocolSha256").asText()).isNotEqualTo(fp32.get("protocolSha256").asText());
    // a second run finds every cell done under the same fingerprint, the precision included
    console.reset();
    assertThat(Main.execute("run", plan.toString(), "--dry-run")).isZero();
    assertThat(console.out().lines().filter(l -> l.contains(" done ")).count()).as(console.out()).isEqualTo(4);

    Files.writeString(plan, text.replace("\"engine\": \"pytorch\"", "\"engine\": \"tensorflow\""));
    console.reset();
    assertThat(Main.execute("run", plan.toString())).isEqualTo(2);
    assertThat(console.err()).contains("plan " + plan + ": method sclip: \"engine\" takes pytorch, onnxruntime,"
        + " got 'tensorflow'");
  }

  @Test
  void aBadPlanIsOneLineNamingTheFile() throws Exception {
    Path plan = dir.resolve("bad.json");
    Files.writeString(plan, "{\"methods\": [{\"method\": \"sclip\", \"weights\": \"w\"}], \"datasets\": [{\"dataset\":"
        + " \"voc21\", \"dataRoot\": \"d\"}], \"protocoll\": \"sclip\"}");
    assertThat(Main.execute("run", plan.toString())).isEqualTo(2);
    assertThat(console.err()).contains("bad.json").contains("unknown key 'protocoll'");
    Files.writeString(plan, "{\"datasets\": []}");
    assertThat(Main.execute("run", plan.toString())).isEqualTo(2);
    assertThat(console.err()).contains("bad.json names no methods");
  }

  @Test
  void sparkWithoutTheSparkModuleOnTheClassPathIsOneLine() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a"), 40, 52);
    assertThat(Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", dir.resolve("run").toString(), "--spark", "local[1]")).isEqualTo(2);
    assertThat(console.err()).contains("--spark local[1]: the Spark module (harness-spark) is not on the class path");
  }
}

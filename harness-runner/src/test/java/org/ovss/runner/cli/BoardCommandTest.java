package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;

/**
 * {@code ovss board} and {@code ovss compare} on results that {@code ovss eval} wrote (tiny random CLIP, a small
 * VOC-layout dataset): the store, every format, overlays from saved predictions, and the input errors.
 */
class BoardCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir static Path shared;
  private static Path evaluated;
  private static Path weights;
  private static Path root;

  @TempDir Path dir;
  /** This test's copy of the evaluated results (tests add to and re-run into it). */
  private Path results;

  /** The two evaluations run once; each test works on its own copy of their output. */
  @BeforeAll
  static void evaluateTwoMethods() throws Exception {
    weights = ClipPresets.writeRandom("tiny", 5L, shared.resolve("clip.safetensors"));
    root = EvalCommandTest.vocLayout(shared.resolve("VOC2012"), List.of("2007_000001", "2007_000002", "2007_000003"), 40, 52);
    evaluated = shared.resolve("results");
    eval(evaluated, "sclip");
    eval(evaluated, "maskclip");
  }

  @BeforeEach
  void copyResults() throws Exception {
    results = dir.resolve("results");
    try (Stream<Path> files = Files.walk(evaluated)) {
      for (Path p : files.toList()) {
        Path target = results.resolve(evaluated.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void eval(Path results, String method) {
    int code = Main.execute("eval", "--method", method, "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", results.resolve(method).toString(), "--save-predictions",
        "--weights-label", "vit-tiny", "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts", "a-photo-of");
    assertThat(code).as("ovss eval " + method).isZero();
  }

  @Test
  void boardRendersStoredResultsBesidePaperValuesInEveryFormat() throws Exception {
    JsonNode sclipResults = new ObjectMapper().readTree(results.resolve("sclip/results.json").toFile());
    assertThat(sclipResults.get("weightsLabel").asText()).isEqualTo("vit-tiny");
    assertThat(Path.of(sclipResults.get("dataRoot").asText())).isEqualTo(root.toAbsolutePath().normalize());
    double sclip = sclipResults.get("metrics").get("mIoU").asDouble();

    assertThat(Main.execute("board", "sclip-8", "--results", results.toString())).as(console.err()).isZero();
    assertThat(console.err()).contains("2 new, 0 replaced");
    assertThat(console.out()).contains(String.format(java.util.Locale.ROOT, "| SCLIP | vit-tiny | %.2f (paper 59.1, %+.2f) |"
        + " — (paper 30.4) |", sclip, sclip - 59.1));
    assertThat(console.out()).contains("| MaskCLIP | vit-tiny |").contains("| GroupViT | paper | — (paper 52.3) |");
    assertThat(results.resolve("store/index.json")).exists();

    Path html = dir.resolve("board.html");
    assertThat(Main.execute("board", "sclip-8", "--results", results.toString(), "--format", "html", "--out",
        html.toString())).as(console.err()).isZero();
    String page = Files.readString(html);
    assertThat(count(page, "<tr class=\"board-row\"")).as("2 measured, 3 with paper values only").isEqualTo(5);
    assertThat(count(page, "<img [^>]*src=\"data:image/png;base64,")).as("2 methods x 3 images x 3 panels").isEqualTo(18);
    assertThat(count(page, "<svg class=\"iou-chart\"")).isEqualTo(2);

    for (String format : new String[] {"csv", "tex", "json"}) {
      console.reset();
      assertThat(Main.execute("board", "sclip-8", "--results", results.toString(), "--format", format)).isZero();
      assertThat(console.out()).as(format).contains(String.format(java.util.Locale.ROOT, "%.2f", sclip));
    }
  }

  @Test
  void aCellEvaluatedAgainReplacesTheStoredOne() {
    assertThat(Main.execute("board", "sclip-8", "--results", results.toString())).isZero();
    eval(results, "sclip");
    console.reset();
    assertThat(Main.execute("board", "sclip-8", "--results", results.toString())).isZero();
    assertThat(console.err()).contains("0 new, 1 replaced, 1 unchanged");
    assertThat(count(console.out(), "\\| SCLIP \\|")).isEqualTo(1);
  }

  @Test
  void compareShowsDifferencesAndTheImagesWhereTheyDisagreeMost() throws Exception {
    Path html = dir.resolve("compare.html");
    assertThat(Main.execute("compare", "--results", results.toString(), "maskclip", "sclip/vit-tiny@sclip",
        "--format", "html", "--out", html.toString(), "--images", "2")).as(console.err()).isZero();
    String page = Files.readString(html);
    assertThat(count(page, "<tr class=\"dataset-row\"")).isEqualTo(1);
    assertThat(page).contains("Images where they disagree most");
    assertThat(count(page, "<div class=\"overlay\">")).isEqualTo(2);
    assertThat(count(page, "<img [^>]*src=\"data:image/png;base64,")).as("image, truth, A, B").isEqualTo(8);
    console.reset();
    assertThat(Main.execute("compare", "--results", results.toString(), "maskclip", "sclip")).isZero();
    assertThat(console.out()).contains("## maskclip vs sclip").contains("| voc21 |").contains("| aeroplane |");
  }

  @Test
  void badInputsAreOneLineErrors() throws Exception {
    assertThat(Main.execute("board", "sclip9", "--results", results.toString())).isEqualTo(2);
    assertThat(console.err()).contains("unknown board 'sclip9'; available: groupvit, sclip-8, synth");
    assertThat(Main.execute("board", "synth", "--results", dir.resolve("none").toString())).isEqualTo(2);
    assertThat(console.err()).contains("results directory").contains("none");
    assertThat(Main.execute("board", "synth", "--results", results.toString(), "--format", "pdf")).isEqualTo(2);
    assertThat(console.err()).contains("unknown report format 'pdf'");
    assertThat(Main.execute("compare", "--results", results.toString(), "pacl", "sclip")).isEqualTo(2);
    assertThat(console.err()).contains("no stored result matches 'pacl'").contains("sclip/vit-tiny@sclip");
    // The same cell on another version of a generated dataset: a board never mixes the two.
    JsonNode other = new ObjectMapper().readTree(results.resolve("sclip/results.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) other).put("datasetVersion", "ovss-synth/2");
    Files.createDirectories(results.resolve("regenerated"));
    new ObjectMapper().writeValue(results.resolve("regenerated/results.json").toFile(), other);
    assertThat(Main.execute("board", "sclip-8", "--results", results.toString())).isEqualTo(2);
    assertThat(console.err()).contains("board 'sclip-8': column voc21 / sclip holds results of different versions of "
        + "the dataset").contains("ovss-synth/2 (e.g. ").contains("no recorded version (e.g. ");
    Path corrupt = results.resolve("broken/results.json");
    Files.createDirectories(corrupt.getParent());
    Files.writeString(corrupt, "{ not json");
    assertThat(Main.execute("board", "synth", "--results", results.toString())).isEqualTo(2);
    assertThat(console.err()).contains("corrupt results file " + corrupt);
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}

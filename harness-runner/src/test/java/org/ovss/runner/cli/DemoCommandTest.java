package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Capability;
import org.ovss.api.MethodProvider;
import org.ovss.runner.MethodRegistry;

/** {@code ovss demo --quick}: the main job, end to end, as README's first command runs it. */
class DemoCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void quickDemoTrainsEvaluatesAndRanksEveryMethod() throws Exception {
    Path out = dir.resolve("demo");
    assertThat(Main.execute("demo", "--quick", "--out", out.toString())).as(console.err()).isZero();
    String board = Files.readString(out.resolve("leaderboard.md"));
    assertThat(console.out()).contains(board.strip());
    for (MethodProvider p : MethodRegistry.discover().all()) {
      if (!p.info().has(Capability.SEGMENT)) {
        continue;
      }
      for (String variant : new String[] {"trained", "untrained"}) {
        assertThat(board).containsPattern("\\| " + java.util.regex.Pattern.quote(p.info().displayName()) + " \\| " + variant
            + " \\| \\d+\\.\\d\\d \\| \\d+\\.\\d\\d \\| \\d+\\.\\d\\d \\|");
        for (String dataset : new String[] {"synth-shapes", "synth-shapes-bg", "synth-stuff"}) {
          JsonNode r = new ObjectMapper().readTree(out.resolve("results").resolve(p.id()).resolve(variant).resolve(dataset)
              .resolve("results.json").toFile());
          assertThat(r.get("dataset").asText()).isEqualTo(dataset);
          assertThat(r.get("images").asInt()).isEqualTo(50);
          assertThat(r.get("protocol").get("name").asText()).isEqualTo("synth");
        }
      }
    }
    assertThat(board).contains("Zero-shot shape classification");
    // The HTML report of the same board: one row per method and variant, charts, and overlays from saved predictions.
    String html = Files.readString(out.resolve("report.html"));
    long segmenting = MethodRegistry.discover().all().stream().filter(p -> p.info().has(Capability.SEGMENT)).count();
    assertThat(html.split("<tr class=\"board-row\"", -1)).hasSize((int) (2 * segmenting + 1));
    assertThat(html).contains("<svg class=\"iou-chart\"").contains("src=\"data:image/png;base64,");
    assertThat(out.resolve("results/sclip/trained/synth-shapes/predictions")).isDirectoryContaining("glob:**.png");
    assertThat(out.resolve("results/store/index.json")).exists();
    // The trained backbone is what makes the board meaningful: it must have learned the shapes.
    assertThat(out.resolve("train/clip/weights.safetensors")).exists();
    assertThat(out.resolve("train/clip/vocab.json")).exists();
    assertThat(Files.readAllLines(out.resolve("train/clip/train-log.jsonl"))).hasSize(60);
    // Every other trained method trained its own steps; those that start from CLIP started from the trained one.
    for (MethodProvider p : MethodRegistry.discover().all()) {
      if (p.info().has(Capability.TRAIN) && !p.id().equals("clip")) {
        assertThat(Files.readAllLines(out.resolve("train").resolve(p.id()).resolve("train-log.jsonl"))).as(p.id()).hasSize(25);
      }
    }
    assertThat(board).contains("clip 60 steps").contains("groupvit 25 steps").contains("segclip 25 steps");
  }
}

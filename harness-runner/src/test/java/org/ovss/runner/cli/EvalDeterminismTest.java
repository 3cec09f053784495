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

/** The same inputs, weights, protocol and seed give bit-identical metrics and prediction PNGs run after run. */
class EvalDeterminismTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void twoRunsGiveIdenticalMetricsAndPredictionBytes() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 9L, dir.resolve("clip.safetensors"));
    List<String> ids = List.of("x1", "x2", "x3");
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), ids, 44, 60);
    JsonNode[] results = new JsonNode[2];
    for (int run = 0; run < 2; run++) {
      Path out = dir.resolve("run" + run);
      // the second run batches fewer windows per forward: batching must not change the numbers either
      assertThat(Main.execute("eval", "--method", "maskclip", "--weights", weights.toString(), "--dataset", "voc21",
          "--data-root", root.toString(), "--out", out.toString(), "--save-predictions", "--short-side", "48",
          "--crop", "32", "--stride", "16", "--prompts", "a-photo-of", "--window-batch", run == 0 ? "16" : "5"))
          .as(console.err()).isZero();
      results[run] = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }
    assertThat(results[1].get("metrics")).isEqualTo(results[0].get("metrics"));
    assertThat(results[1].get("classes")).isEqualTo(results[0].get("classes"));
    for (String id : ids) {
      assertThat(dir.resolve("run1/predictions/" + id + ".png")).hasSameBinaryContentAs(dir.resolve("run0/predictions/" + id + ".png"));
    }
  }
}

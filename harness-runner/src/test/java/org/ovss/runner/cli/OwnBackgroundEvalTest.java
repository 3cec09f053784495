package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;

/**
 * A method with its own background rule ({@code ScoresWithBackground}: GroupViT) under a background threshold:
 * the runner hands it the threshold and takes its channel 0 as background, with nothing thresholded twice.
 */
class OwnBackgroundEvalTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void groupVitDecidesBackgroundWithItsThreshold() throws Exception {
    Path data = dir.resolve("synth");
    SyntheticBenchmark.generate(data, new SynthConfig(40, 4, 64, 3L));
    Path model = dir.resolve("groupvit");
    assertThat(Main.execute("train", "--method", "groupvit", "--data", data.toString(), "--out", model.toString(),
        "--steps", "0", "-s", "arch.image-size=64")).as(console.err()).isZero();
    Path weights = model.resolve("weights.safetensors");

    // Threshold 0: no pixel's score is below it, so nothing is background.
    assertThat(eval(weights, data, "0", "none")).isZero();
    long none = backgroundPixels(dir.resolve("none"));
    assertThat(none).isZero();
    // Threshold 1: a pixel is background unless its score reaches its window's best group affinity.
    assertThat(eval(weights, data, "1", "all")).isZero();
    long all = backgroundPixels(dir.resolve("all"));
    assertThat(all).isPositive();

    JsonNode r = new ObjectMapper().readTree(dir.resolve("all/results.json").toFile());
    assertThat(r.get("method").asText()).isEqualTo("groupvit");
    assertThat(r.get("datasetVersion").asText()).as("results name the benchmark version").isEqualTo("ovss-synth/3");
    assertThat(r.get("protocol").get("bgThreshold").asDouble()).isEqualTo(1.0);
    assertThat(r.get("classes")).hasSize(9); // background + 8 shapes
  }

  @Test
  void postProcessingOnOwnBackgroundScoresIsRefused() throws Exception {
    Path data = dir.resolve("synth");
    SyntheticBenchmark.generate(data, new SynthConfig(40, 2, 64, 3L));
    Path model = dir.resolve("groupvit");
    assertThat(Main.execute("train", "--method", "groupvit", "--data", data.toString(), "--out", model.toString(),
        "--steps", "0", "-s", "arch.image-size=64")).isZero();
    int code = Main.execute("eval", "--method", "groupvit", "--weights", model.resolve("weights.safetensors").toString(),
        "--dataset", "synth-shapes-bg", "--data-root", data.toString(), "--protocol", "synth", "--bg-threshold", "0.5",
        "--pamr", "10:8,16", "--out", dir.resolve("run").toString());
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains("own rule").contains("PAMR");
    assertThat(dir.resolve("run/results.json")).doesNotExist();
  }

  private int eval(Path weights, Path data, String threshold, String out) {
    return Main.execute("eval", "--method", "groupvit", "--weights", weights.toString(), "--dataset", "synth-shapes-bg",
        "--data-root", data.toString(), "--protocol", "synth", "--short-side", "64", "--crop", "64", "--stride", "32",
        "--bg-threshold", threshold, "--out", dir.resolve(out).toString(), "--save-predictions");
  }

  private static long backgroundPixels(Path run) throws Exception {
    long count = 0;
    try (Stream<Path> files = Files.list(run.resolve("predictions"))) {
      for (Path f : files.toList()) {
        BufferedImage img = ImageIO.read(f.toFile());
        for (int y = 0; y < img.getHeight(); y++) {
          for (int x = 0; x < img.getWidth(); x++) {
            count += img.getRaster().getSample(x, y, 0) == 0 ? 1 : 0;
          }
        }
      }
    }
    return count;
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;

/** {@code --engine}, {@code --precision}, {@code --device}, {@code --ep} on {@code ovss eval}. */
class EngineOptionsTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  private List<String> evalArgs(Path weights, Path root, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset",
        "voc21", "--data-root", root.toString(), "--out", out.toString(), "--save-predictions", "--short-side", "48",
        "--crop", "32", "--stride", "16", "--prompts", "a-photo-of"));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void onnxRuntimeLabelsMatchPytorchAndInt8GetsItsOwnProtocolHash() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    List<String> ids = List.of("2007_000001", "2007_000002", "2007_000003");
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), ids, 40, 52);
    ObjectMapper json = new ObjectMapper();
    JsonNode[] results = new JsonNode[3];
    String[][] runs = {{"--engine", "pytorch"}, {"--engine", "onnxruntime"}, {"--engine", "onnxruntime", "--precision", "int8"}};
    for (int i = 0; i < runs.length; i++) {
      int code = Main.execute(evalArgs(weights, root, dir.resolve("run" + i), runs[i]).toArray(String[]::new));
      assertThat(code).as(console.err()).isZero();
      results[i] = json.readTree(dir.resolve("run" + i).resolve("results.json").toFile());
    }
    assertThat(results[0].at("/provenance/execution/engine").asText()).isEqualTo("pytorch");
    assertThat(results[1].at("/provenance/execution/engine").asText()).isEqualTo("onnxruntime");
    assertThat(results[1].at("/provenance/execution/precision").asText()).isEqualTo("fp32");
    assertThat(results[2].at("/provenance/execution/precision").asText()).isEqualTo("int8");
    // fp32 on either engine is the same protocol; int8 is recorded in the protocol and hashes apart
    assertThat(results[1].get("protocolSha256")).isEqualTo(results[0].get("protocolSha256"));
    assertThat(results[0].get("protocol").has("precision")).isFalse();
    assertThat(results[2].at("/protocol/precision").asText()).isEqualTo("int8");
    assertThat(results[2].get("protocolSha256")).isNotEqualTo(results[0].get("protocolSha256"));
    long same = 0;
    long total = 0;
    for (String id : ids) {
      BufferedImage a = ImageIO.read(dir.resolve("run0/predictions/" + id + ".png").toFile());
      BufferedImage b = ImageIO.read(dir.resolve("run1/predictions/" + id + ".png").toFile());
      for (int y = 0; y < a.getHeight(); y++) {
        for (int x = 0; x < a.getWidth(); x++) {
          same += a.getRaster().getSample(x, y, 0) == b.getRaster().getSample(x, y, 0) ? 1 : 0;
          total++;
        }
      }
    }
    assertThat((double) same / total).as("share of pixels with the same label on both engines").isGreaterThanOrEqualTo(0.999);
  }

  @Test
  void aMethodWithoutOnnxRuntimeSaysSoInOneLine() {
    int code = Main.execute("eval", "--method", "groupvit", "--weights", dir.resolve("none.safetensors").toString(),
        "--dataset", "voc21", "--data-root", dir.toString(), "--out", dir.resolve("out").toString(), "--engine", "onnxruntime");
    assertThat(code).isEqualTo(2);
    assertThat(console.err().strip()).isEqualTo(
        "error: method 'groupvit' runs on the pytorch engine only, not on onnxruntime (use --engine pytorch)");
  }

  @Test
  void badEngineSettingsAreOneLineErrors() {
    String[][] cases = {
      {"--engine", "tensorflow"}, {"--engine", "pytorch", "--precision", "int8"}, {"--device", "tpu"},
      {"--engine", "onnxruntime", "--ep", "cuda"}, {"--precision", "fp16"}};
    String[] expected = {
      "error: --engine takes pytorch, onnxruntime, got 'tensorflow'",
      "error: --precision int8 needs --engine onnxruntime",
      "error: --device takes cpu, gpu or gpu:N, got 'tpu'",
      "error: --ep cuda needs --engine onnxruntime and --device gpu",
      "error: --precision takes fp32, int8, got 'fp16'"};
    for (int i = 0; i < cases.length; i++) {
      console.reset();
      List<String> a = new ArrayList<>(List.of("encode", "--method", "sclip", "--weights", dir.resolve("w.safetensors").toString(),
          "--image", dir.resolve("x.png").toString(), "--out", dir.resolve("f.safetensors").toString()));
      a.addAll(List.of(cases[i]));
      assertThat(Main.execute(a.toArray(String[]::new))).as(String.join(" ", cases[i])).isEqualTo(2);
      assertThat(console.err().strip()).isEqualTo(expected[i]);
    }
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;

/** The {@code clippy} protocol reports CLIPpy's grouping Jaccard beside mIoU; an unknown metric id is named. */
class FeatureMetricEvalTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void clippyProtocolReportsTheGroupingJaccard() throws Exception {
    Path data = dir.resolve("synth");
    SyntheticBenchmark.generate(data, new SynthConfig(40, 3, 64, 5L));
    Path model = dir.resolve("clippy");
    assertThat(Main.execute("train", "--method", "clippy", "--data", data.toString(), "--out", model.toString(),
        "--steps", "0", "-s", "arch.image-size=64", "-s", "batch-size=8")).as(console.err()).isZero();
    Path weights = Files.list(model).filter(f -> f.toString().endsWith(".safetensors")).findFirst().orElseThrow();
    assertThat(Main.execute("eval", "--method", "clippy", "--weights", weights.toString(), "--dataset", "synth-shapes-bg",
        "--data-root", data.toString(), "--short-side", "64", "--out", dir.resolve("run").toString()))
        .as(console.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("run/results.json").toFile());
    assertThat(r.get("protocol").get("name").asText()).isEqualTo("clippy");
    assertThat(r.get("metrics").get("grouping-jaccard").asDouble()).isBetween(0.0, 100.0);
    assertThat(r.get("metrics").get("mIoU").asDouble()).isBetween(0.0, 100.0);

    Path protocol = dir.resolve("p.json");
    Files.writeString(protocol, "{\"extends\": \"clippy\", \"featureMetrics\": [\"no-such-metric\"]}");
    assertThat(Main.execute("eval", "--method", "clippy", "--weights", weights.toString(), "--dataset", "synth-shapes-bg",
        "--data-root", data.toString(), "--protocol", protocol.toString(), "--out", dir.resolve("run2").toString()))
        .isEqualTo(2);
    assertThat(console.err()).contains("no-such-metric").contains("grouping-jaccard");
  }
}

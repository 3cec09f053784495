package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.eval.EvalRun;

/**
 * End to end through the harness's own evaluator (the one {@code ovss eval} runs): the method under test segments a
 * small generated VOC-layout dataset ({@link VocLayout}, {@code voc20}) under its default protocol, and the
 * {@code results.json} written must name the method and dataset, count every image and class, and hold a finite
 * mIoU. A plugin's test extends this class and says how to open the method, as for {@link MethodConformanceTest}.
 */
public abstract class EvaluationConformanceTest {

  @TempDir protected Path tempDir;

  /** The provider under test. */
  protected abstract MethodProvider provider();

  /** A configuration that opens the method with weights (a random tiny model is enough). */
  protected abstract MethodConfig config(Path tempDir);

  /** The protocol evaluated: the method's default protocol. */
  protected String protocol() {
    return provider().info().defaultProtocol();
  }

  /**
   * Protocol settings for the small images and a tiny model: a 48 px short side, 32 px windows every 16 px. A method
   * whose protocol lacks one of these settings (a whole-image protocol, say) overrides this.
   */
  protected Map<String, String> protocolOverrides() {
    return Map.of("shortSide", "48", "crop", "32", "stride", "16");
  }

  @Test
  void evaluatesASmallVocDatasetThroughTheHarnessEvaluator() throws IOException {
    Path root = VocLayout.write(tempDir.resolve("VOC2012"), List.of("2007_000001", "2007_000002", "2007_000003"), 40, 52);
    Path out = tempDir.resolve("run");
    EvalRun.run(new EvalRun.Request(provider(), config(tempDir), DatasetSpecs.get("voc20"), root, protocol(),
        protocolOverrides(), null, false, 1, out), new PrintStream(OutputStream.nullOutputStream()));

    JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(r.get("method").asText()).isEqualTo(provider().id());
    assertThat(r.get("dataset").asText()).isEqualTo("voc20");
    assertThat(r.get("images").asInt()).isEqualTo(3);
    assertThat(r.get("classes")).hasSize(20);
    assertThat(r.get("protocolSha256").asText()).hasSize(64);
    double miou = r.get("metrics").get("mIoU").asDouble(Double.NaN);
    assertThat(miou).as("mIoU in results.json").isBetween(0.0, 100.0);
  }
}

package org.ovss.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageContext;
import org.ovss.api.PostProcessor;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/**
 * PAMR against the reference pamr.py output in {@code pamr-io.safetensors} of the fixture directory
 * ({@code -Dovss.parity.dir}), with the settings of its {@code pamr-config.json}; skipped for fixture sets without
 * a PAMR case.
 */
class PamrParityTest {

  @Test
  void refinedMaskMatchesReference() throws IOException {
    Path dir = Fixtures.parityDir("clip-tiny");
    assertThat(dir).as("parity fixture directory (-Dovss.parity.dir)").isDirectory();
    assumeTrue(Files.exists(dir.resolve("pamr-io.safetensors")), "no PAMR fixture in " + dir);
    JsonNode config = new ObjectMapper().readTree(dir.resolve("pamr-config.json").toFile());
    String dilations = StreamSupport.stream(config.get("dilations").spliterator(), false)
        .map(JsonNode::asText).collect(Collectors.joining(","));
    PostProcessor pamr = new PamrProvider().create(
        Map.of("iterations", config.get("num_iter").asText(), "dilations", dilations));

    try (TensorFile f = TensorFile.open(dir.resolve("pamr-io.safetensors"))) {
      long[] imageShape = f.info("image").shape();
      long[] maskShape = f.info("mask").shape();
      int h = (int) imageShape[2];
      int w = (int) imageShape[3];
      float[] image = f.readFloats("image");
      // pamr.py only sees the normalised image; the 0-255 planes are unused, so any of the right size will do.
      ImageContext ctx = new ImageContext(h, w, new float[image.length], image);
      float[] refined = pamr.refine(f.readFloats("mask"), (int) maskShape[1], (int) maskShape[2],
          (int) maskShape[3], ctx);
      float[] expected = f.readFloats("refined");
      assertThat(refined).hasSameSizeAs(expected);
      double max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(refined[i] - expected[i]));
      }
      System.out.printf("PAMR parity (%s): max abs error %.3g%n", dir.getFileName(), max);
      assertThat(max).as("max abs error against pamr.py").isLessThan(1e-4);
    }
  }
}

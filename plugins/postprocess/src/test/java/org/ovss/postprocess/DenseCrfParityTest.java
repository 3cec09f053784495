package org.ovss.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageContext;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/**
 * The DenseCRF against pydensecrf (lucasb-eyer/pydensecrf, Krähenbühl's densecrf.cpp): for every case of
 * {@code densecrf-config.json} in the fixture set ({@code -Dovss.parity.dir}, default the bundled {@code densecrf}),
 * the marginals of {@code DenseCRF2D.inference} within 1e-4 and the same argmax label at every pixel. Skipped on a
 * fixture set of another kind.
 */
class DenseCrfParityTest {
  private static Path dir;

  @BeforeAll
  static void fixtureSet() {
    dir = Fixtures.parityDir("densecrf");
    assumeTrue(Files.exists(dir.resolve("densecrf-io.safetensors")),
        dir + " is not a DenseCRF fixture set (no densecrf-io.safetensors)");
  }

  @Test
  void marginalsAndLabelsEqualPydensecrf() throws IOException {
    JsonNode config = new ObjectMapper().readTree(dir.resolve("densecrf-config.json").toFile());
    JsonNode gaussian = config.get("gaussian");
    JsonNode bilateral = config.get("bilateral");
    List<String> checked = new ArrayList<>();
    try (TensorFile f = TensorFile.open(dir.resolve("densecrf-io.safetensors"))) {
      var cases = config.get("cases").fields();
      while (cases.hasNext()) {
        var entry = cases.next();
        String name = entry.getKey();
        JsonNode c = entry.getValue();
        int classes = c.get("classes").asInt();
        int h = c.get("height").asInt();
        int w = c.get("width").asInt();
        DenseCrf crf = new DenseCrf(new DenseCrf.Settings(c.get("iterations").asInt(),
            (float) gaussian.get("sxy").asDouble(), (float) gaussian.get("compat").asDouble(),
            (float) bilateral.get("sxy").asDouble(), (float) bilateral.get("srgb").asDouble(),
            (float) bilateral.get("compat").asDouble()));

        ImageContext image = new ImageContext(h, w, planarRgb(f.readLongs(name + "_image"), h, w),
            new float[3 * h * w]);
        float[] q = crf.refine(f.readFloats(name + "_probs"), classes, h, w, image);
        float[] expected = f.readFloats(name + "_q");
        assertThat(q).as(name).hasSameSizeAs(expected);

        double maxError = 0;
        int n = h * w;
        int labelsDiffer = 0;
        for (int i = 0; i < expected.length; i++) {
          maxError = Math.max(maxError, Math.abs(q[i] - expected[i]));
        }
        for (int p = 0; p < n; p++) {
          if (argmax(q, p, classes, n) != argmax(expected, p, classes, n)) {
            labelsDiffer++;
          }
        }
        System.out.printf("DenseCRF parity %-8s %2d classes %dx%d: max |dQ| %.3g, %d labels differ%n",
            name, classes, h, w, maxError, labelsDiffer);
        assertThat(maxError).as(name + ": max |dQ| against pydensecrf").isLessThan(1e-4);
        assertThat(labelsDiffer).as(name + ": pixels whose label differs from pydensecrf's").isZero();
        checked.add(name);
      }
    }
    assertThat(checked).as("cases in " + dir).isNotEmpty();
  }

  /** pydensecrf's interleaved uint8 [H, W, 3] as the planar 0-255 RGB of {@link ImageContext}. */
  private static float[] planarRgb(long[] interleaved, int h, int w) {
    int n = h * w;
    float[] rgb = new float[3 * n];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < 3; ch++) {
        rgb[ch * n + i] = interleaved[i * 3 + ch];
      }
    }
    return rgb;
  }

  private static int argmax(float[] q, int pixel, int classes, int n) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (q[c * n + pixel] > q[best * n + pixel]) {
        best = c;
      }
    }
    return best;
  }
}

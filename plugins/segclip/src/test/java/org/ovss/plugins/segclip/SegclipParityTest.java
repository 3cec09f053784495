package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;
import org.ovss.nn.Norms;

/**
 * The SegCLIP image-text model and the official segmentation inference against the reference outputs of
 * the official code ({@code -Dovss.parity.dir}, default: the bundled fixtures/parity/segclip-tiny): every output within
 * 1e-4, max errors printed.
 */
class SegclipParityTest {
  private static final String IO = "segclip-io.safetensors";
  private static final String WEIGHTS = "weights-segclip.safetensors";
  private static final double TOL = 1e-4;
  /** The background threshold the fixture's seg_logits_bg were computed with (segclip-config.json note). */
  private static final double BG_THRESHOLD = 0.8;

  private static NDManager manager;
  private static SegclipModel model;
  private static Path dir;

  @BeforeAll
  static void load() {
    dir = Fixtures.parityDir("segclip-tiny");
    Assumptions.assumeTrue(Files.isDirectory(dir), "no parity fixture directory " + dir);
    boolean otherMethod;
    try (Stream<Path> files = Files.list(dir)) {
      otherMethod = !Files.exists(dir.resolve(IO))
          && files.anyMatch(f -> f.getFileName().toString().endsWith("io.safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Assumptions.assumeFalse(otherMethod, dir + " is another method's parity fixture set, not SegCLIP's");
    manager = NDManager.newBaseManager();
    model = SegclipWeights.load(dir.resolve(WEIGHTS), manager, SegclipWeights.Heads.DEFAULT);
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void architectureComesFromTheWeightsAndMatchesTheFixtureConfig() throws IOException {
    JsonNode c = new ObjectMapper().readTree(dir.resolve("segclip-config.json").toFile()).get("config");
    SegclipConfig cfg = model.config();
    assertThat(cfg.embedDim()).isEqualTo(c.get("embed").asInt());
    assertThat(cfg.imageResolution()).isEqualTo(c.get("res").asInt());
    assertThat(cfg.visionWidth()).isEqualTo(c.get("width").asInt());
    assertThat(cfg.patchSize()).isEqualTo(c.get("patch").asInt());
    assertThat(cfg.vocabSize()).isEqualTo(c.get("vocab").asInt());
    assertThat(cfg.textWidth()).isEqualTo(c.get("twidth").asInt());
    assertThat(cfg.textLayers()).isEqualTo(c.get("tlayers").asInt());
    assertThat(cfg.firstStageLayers()).isEqualTo(c.get("first").asInt());
  }

  @Test
  void imageTowerMatches() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = fixture(m, "image");
      SegclipModel.VisionOutput out = model.encodeImage(image);
      check(out.tokens().get(":, 0, :"), "image_x");
      check(out.tokens(), "image_hidden");
      check(out.soft(), "soft_attn");
    }
  }

  @Test
  void textTowerMatches() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = longs(m, "text_ids");
      check(model.encodeText(ids), "text_x"); // the fixture keeps them unnormalised
    }
  }

  @Test
  void segmentationInferenceMatches() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = fixture(m, "image");
      NDArray text = Norms.l2Normalize(fixture(m, "text_x")); // encode_decode gets normalised embeddings
      int h = (int) image.getShape().get(2);
      int w = (int) image.getShape().get(3);
      int p = model.config().patchSize();
      SegclipModel.VisionOutput out = model.encodeImage(image);
      NDArray maps = SegclipInference.attentionMaps(out.soft(), h / p, w / p, h, w); // [B, L, H, W]
      check(maps.transpose(0, 2, 3, 1), "attn_map");
      NDArray affinity = SegclipInference.groupAffinity(out.tokens(), text, SegclipModel.logitScale(model.params(), m));
      NDArray noBg = SegclipInference.logits(maps, affinity);
      check(noBg, "seg_logits_nobg");
      check(SegclipInference.withBackground(noBg, affinity, BG_THRESHOLD), "seg_logits_bg");
    }
  }

  private static NDArray fixture(NDManager m, String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return m.create(f.readFloats(name), new Shape(f.info(name).shape()));
    }
  }

  private static NDArray longs(NDManager m, String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return m.create(f.readLongs(name), new Shape(f.info(name).shape()));
    }
  }

  private static void check(NDArray actual, String name) {
    NDArray expected = fixture(actual.getManager(), name);
    assertThat(actual.getShape()).as(name + " shape").isEqualTo(expected.getShape());
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - e[i]);
      max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
    }
    System.out.printf("segclip parity %-16s max abs error %.3g%n", name, max);
    assertThat(max).as(name + " max abs error").isLessThanOrEqualTo(TOL);
  }
}

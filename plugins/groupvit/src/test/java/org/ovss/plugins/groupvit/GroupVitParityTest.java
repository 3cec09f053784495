package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;
import org.ovss.nn.Norms;

/**
 * The GroupViT model and segmentation inference against the outputs of the official code in the fixture
 * directory {@code -Dovss.parity.dir} (default: the bundled {@code fixtures/parity/groupvit-tiny}). Every size comes from the
 * fixture's {@code groupvit-config.json}, so fixture sets of other sizes run unchanged.
 */
class GroupVitParityTest {
  private static final String IO = "groupvit-io.safetensors";
  private static final String WEIGHTS = "weights-groupvit.safetensors";
  private static final double TOLERANCE = 1e-4;
  private static final double INTERPOLATED_TOLERANCE = 1e-3;

  private static Path dir;
  private static NDManager manager;
  private static GroupVitModel model;

  @BeforeAll
  static void load() {
    dir = Fixtures.parityDir("groupvit-tiny");
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(IO)),
        dir + " holds no " + IO + ": another method's parity fixture set");
    manager = NDManager.newBaseManager();
    GroupVitConfig config = GroupVitConfig.load(dir.resolve("groupvit-config.json"));
    model = GroupVitCheckpoint.load(dir.resolve(WEIGHTS), config, manager);
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void projectedImageEmbeddingAndGroupTokensMatch() {
    try (NDManager m = manager.newSubManager()) {
      GroupVitInference.Decoded d = GroupVitInference.decode(model, tensor(m, "image"));
      assertClose(d.imageFeatures(), "image_x", TOLERANCE);
      assertClose(d.groupFeatures(), "image_feat", TOLERANCE);
    }
  }

  @Test
  void projectedTextEmbeddingsMatch() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = m.create(readLongs("text_ids"), new Shape(shape("text_ids")));
      NDArray text = model.projectText(model.encodeText(ids), GroupVitModel.Pass.EVAL);
      assertClose(text, "text_x", TOLERANCE);
    }
  }

  @Test
  void attentionMapsOfEveryStageMatch() {
    try (NDManager m = manager.newSubManager()) {
      GroupVitInference.Decoded d = GroupVitInference.decode(model, tensor(m, "image"));
      List<String> names = names();
      int checked = 0;
      for (int i = 0; i < d.attentionMaps().size(); i++) {
        String name = "attn_map_stage" + i;
        if (names.contains(name)) {
          // ours are [B, G, H, W], the official get_attn_maps gives [B, H, W, G]
          assertClose(d.attentionMaps().get(i).transpose(0, 2, 3, 1), name, TOLERANCE);
          checked++;
        }
      }
      assertThat(checked).as("attention maps compared").isEqualTo(d.attentionMaps().size());
    }
  }

  @Test
  void segLogitsWithAndWithoutBackgroundMatch() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = m.create(readLongs("text_ids"), new Shape(shape("text_ids")));
      NDArray text = Norms.l2Normalize(model.projectText(model.encodeText(ids), GroupVitModel.Pass.EVAL), Norms.TORCH_NORMALIZE_EPS);
      GroupVitInference.Decoded d = GroupVitInference.decode(model, tensor(m, "image"));
      assertClose(GroupVitInference.segLogits(model, d, text), "seg_logits_nobg", TOLERANCE);
      assertClose(GroupVitInference.segLogitsWithBackground(model, d, text, bgThreshold()), "seg_logits_bg", TOLERANCE);
    }
  }

  @Test
  void positionalEmbeddingIsInterpolatedForOtherInputSizes() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = tensor(m, "image_large");
      GroupVitModel.ImageEncoding enc = model.encodeImage(image, GroupVitModel.Pass.EVAL);
      assertThat(enc.gridHeight() * enc.gridWidth()).as("patch grid of the larger input")
          .isNotEqualTo(model.config().gridSize() * model.config().gridSize());
      assertClose(model.projectImage(enc.pooled(), GroupVitModel.Pass.EVAL), "image_x_large", INTERPOLATED_TOLERANCE);
    }
  }

  /** The fixture's background threshold: {@code bg_thresh} in its config, else the 0.95 its README names. */
  private static float bgThreshold() {
    try {
      JsonNode root = new ObjectMapper().readTree(dir.resolve("groupvit-config.json").toFile());
      JsonNode t = root.findValue("bg_thresh");
      return t == null ? 0.95f : (float) t.asDouble();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static NDArray tensor(NDManager m, String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return m.create(f.readFloats(name), new Shape(f.info(name).shape()));
    }
  }

  private static long[] readLongs(String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.readLongs(name);
    }
  }

  private static long[] shape(String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.info(name).shape();
    }
  }

  private static List<String> names() {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.names();
    }
  }

  private static void assertClose(NDArray actual, String name, double tolerance) {
    long[] expectedShape = shape(name);
    assertThat(actual.getShape()).as(name + " shape").isEqualTo(new Shape(expectedShape));
    float[] a = actual.toFloatArray();
    float[] e;
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      e = f.readFloats(name);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - e[i]);
      max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
    }
    System.out.printf("parity groupvit %-18s max abs error %.3g%n", name, max);
    assertThat(max).as(name + " max abs error").isLessThanOrEqualTo(tolerance);
  }
}

package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/**
 * One training forward and backward of SegCLIP against the official code ({@code -Dovss.parity.dir}, default: the
 * bundled fixtures/parity/segclip-train-tiny): the three losses on the recorded batch, with the Gumbel noise of both
 * semantic-group passes and the masking noise of the MAE branch replayed through {@link SegclipTraining.Noise}, the
 * MAE decoder loaded under its official names; the total loss within 1e-5 and every parameter's gradient within
 * 1e-4 x max(1, max |reference gradient|), with a garbage collection forced between forward and backward.
 */
class SegclipTrainParityTest {
  private static final String IO = "segclip-train-io.safetensors";
  private static final String WEIGHTS = "weights-segclip-train.safetensors";
  private static final String CONFIG = "segclip-train-config.json";
  private static final double LOSS_TOL = 1e-5;
  private static final double GRAD_TOL = 1e-4;

  private static NDManager manager;
  private static Path dir;
  private static JsonNode config;
  private static SegclipModel model;
  private static double loss;
  private static final Map<String, float[]> gradients = new LinkedHashMap<>();

  @BeforeAll
  static void forwardAndBackward() throws IOException {
    dir = Fixtures.parityDir("segclip-train-tiny");
    boolean otherKind;
    try (Stream<Path> files = Files.list(dir)) {
      otherKind = !Files.exists(dir.resolve(IO)) && files.anyMatch(f -> f.getFileName().toString().endsWith("io.safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Assumptions.assumeFalse(otherKind, dir + " is another kind of parity fixture set, not a SegCLIP training step");
    config = new ObjectMapper().readTree(dir.resolve(CONFIG).toFile());
    manager = NDManager.newBaseManager();
    model = SegclipWeights.load(dir.resolve(WEIGHTS), manager, SegclipWeights.Heads.DEFAULT);
    Set<String> withoutGrad = withoutGradient();
    model.parameters().forEach((name, p) -> p.setRequiresGradient(!withoutGrad.contains(name)));

    JsonNode task = config.get("task");
    SegclipTrainSettings settings = SegclipTrainSettings.of(Map.of(
        "mask-ratio", task.get("mae_vis_mask_ratio").asText(),
        "loss-weight-reconstruction", task.get("use_vision_mae_recon").asBoolean() ? "1" : "0",
        "loss-weight-superpixel", task.get("use_seglabel").asBoolean() ? "1" : "0",
        "superpixel-kl-norm", "code"));
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = floats(scope, "image");
      int b = (int) images.getShape().get(0);
      int n = model.config().patches();
      long[] superpixels = longs("superpixels");
      float[] same = new float[b * n * n];
      for (int i = 0; i < b; i++) {
        long[] ids = java.util.Arrays.copyOfRange(superpixels, i * n, (i + 1) * n);
        SegclipTraining.samePatches(ids, same, i * n * n);
      }
      NDArray ids = scope.create(longs("text_ids"), new Shape(info("text_ids")));
      Recorded noise = new Recorded(readFloats("gumbel_noise_0"), readFloats("gumbel_noise_1"), readFloats("mask_noise_0"),
          n + 1);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray l = SegclipTraining.objective(model.config(), settings, model.params(), images, ids,
            scope.create(same, new Shape(b, n, n)), noise);
        // Frees any Java buffer that only an autograd-saved tensor still uses before the backward reads it.
        System.gc();
        Thread.sleep(50);
        gc.backward(l);
        loss = l.getFloat();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertThat(noise.unused()).as("recorded noise arrays the objective did not read").isEmpty();
      model.parameters().forEach((name, p) -> {
        if (p.hasGradient()) {
          gradients.put(name, p.getGradient().toFloatArray());
        }
      });
    }
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  /** The recorded noise in the layouts of {@link SegclipTraining.Noise}, each read once, in order. */
  private static final class Recorded implements SegclipTraining.Noise {
    private final float[][] gumbel;
    private final float[] masks;
    private final int tokens;
    private final boolean[] gumbelRead = new boolean[2];
    private int sample;

    Recorded(float[] gumbel0, float[] gumbel1, float[] masks, int tokens) {
      this.gumbel = new float[][] {gumbel0, gumbel1};
      this.masks = masks;
      this.tokens = tokens;
    }

    @Override
    public float[] gumbel(int pass, int count) {
      assertThat(gumbel[pass].length).as("recorded Gumbel noise of pass " + pass).isEqualTo(count);
      gumbelRead[pass] = true;
      return gumbel[pass];
    }

    @Override
    public double[] masking(int patches) {
      assertThat(patches).isEqualTo(tokens - 1);
      assertThat((sample + 1) * tokens).as("recorded masking noise rows").isLessThanOrEqualTo(masks.length);
      double[] u = new double[patches];
      for (int t = 0; t < patches; t++) {
        u[t] = masks[sample * tokens + 1 + t]; // entry 0 is the CLS's, which the official code overwrites with -1
      }
      sample++;
      return u;
    }

    List<String> unused() {
      List<String> out = new ArrayList<>();
      for (int pass = 0; pass < 2; pass++) {
        if (!gumbelRead[pass]) {
          out.add("gumbel_noise_" + pass);
        }
      }
      if (sample * tokens != masks.length) {
        out.add("mask_noise_0 (" + sample + " rows read)");
      }
      return out;
    }
  }

  @Test
  void theFixtureIsTheTrainingConfigurationOfTheModel() {
    JsonNode c = config.get("config");
    SegclipConfig cfg = model.config();
    assertThat(cfg.embedDim()).isEqualTo(c.get("embed").asInt());
    assertThat(cfg.imageResolution()).isEqualTo(c.get("res").asInt());
    assertThat(cfg.visionWidth()).isEqualTo(c.get("width").asInt());
    assertThat(cfg.patchSize()).isEqualTo(c.get("patch").asInt());
    assertThat(cfg.firstStageLayers()).isEqualTo(config.get("task").get("first_stage_layer").asInt());
    assertThat(cfg.hasReconstruction()).as("layers_mae2 and vis_mae_decoder loaded").isTrue();
    assertThat(SegclipTraining.keptPatches(cfg, config.get("task").get("mae_vis_mask_ratio").asDouble()))
        .isEqualTo(info("gumbel_noise_1")[2]);
  }

  @Test
  void totalLossMatches() {
    double expected = readFloats("loss")[0];
    System.out.printf("segclip train parity loss %.7f vs reference %.7f%n", loss, expected);
    assertThat(loss).isCloseTo(expected, org.assertj.core.data.Offset.offset(LOSS_TOL));
  }

  @Test
  void everyGradientMatches() {
    Set<String> reference = new HashSet<>();
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      for (String name : f.names()) {
        if (name.startsWith("grad.")) {
          reference.add(name.substring("grad.".length()));
        }
      }
    }
    Set<String> withoutGrad = withoutGradient();
    Set<String> expected = new HashSet<>(reference);
    expected.removeAll(withoutGrad);
    assertThat(gradients.keySet()).as("parameters with a gradient").containsExactlyInAnyOrderElementsOf(expected);
    List<String> failures = new ArrayList<>();
    double worst = 0;
    String worstName = "";
    for (Map.Entry<String, float[]> e : gradients.entrySet()) {
      float[] want = readFloats("grad." + e.getKey());
      float[] got = e.getValue();
      assertThat(got).as(e.getKey() + " gradient size").hasSameSizeAs(want);
      double scale = 1;
      for (float v : want) {
        scale = Math.max(scale, Math.abs(v));
      }
      double max = 0;
      for (int i = 0; i < got.length; i++) {
        double d = Math.abs((double) got[i] - want[i]);
        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
      }
      double relative = max / scale;
      if (relative > worst) {
        worst = relative;
        worstName = e.getKey();
      }
      if (!(relative <= GRAD_TOL)) {
        failures.add(String.format("%s: max abs error %.3g (scale %.3g)", e.getKey(), max, scale));
      }
    }
    System.out.printf("segclip train parity: %d gradients, worst %s at %.3g of its scale%n", gradients.size(), worstName,
        worst);
    assertThat(failures).as("gradients off by more than " + GRAD_TOL + " x max(1, max |reference|)").isEmpty();
  }

  /** Parameters the reference gives no gradient (fixed tables), from the set's config. */
  private static Set<String> withoutGradient() {
    Set<String> names = new HashSet<>();
    JsonNode list = config.get("params_without_grad");
    if (list != null) {
      list.forEach(n -> names.add(n.asText()));
    }
    return names;
  }

  private static long[] info(String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.info(name).shape();
    }
  }

  private static float[] readFloats(String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.readFloats(name);
    }
  }

  private static long[] longs(String name) {
    try (TensorFile f = TensorFile.open(dir.resolve(IO))) {
      return f.readLongs(name);
    }
  }

  private static NDArray floats(NDManager m, String name) {
    return m.create(readFloats(name), new Shape(info(name)));
  }
}

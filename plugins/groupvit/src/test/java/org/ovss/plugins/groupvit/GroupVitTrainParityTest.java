package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/**
 * One GroupViT training step against the official code's (fixture set {@code -Dovss.parity.dir}, default the bundled
 * {@code fixtures/parity/groupvit-train-tiny}; README there): the recorded Gumbel noise goes into the grouping stages
 * through {@link GroupVitModel.Pass#trainingWithNoise}, the JVM collects garbage between forward and backward, and
 * the losses, projector outputs, every gradient (as clipped at the global norm), the global gradient norm, the BatchNorm running statistics and every
 * parameter after one AdamW step (official weight-decay groups, clipping at the global norm) are compared with the
 * official ones. Sizes, batch and optimiser settings come from the set's {@code groupvit-train-config.json}.
 */
class GroupVitTrainParityTest {
  private static final String IO = "groupvit-train-io.safetensors";
  private static final String CONFIG = "groupvit-train-config.json";
  private static final String WEIGHTS = "weights-groupvit.safetensors";
  /**
   * README tolerances: losses and parameters after the step 1e-5; gradients 1e-4 x max(1, max |reference|). BatchNorm
   * statistics: the README's 1e-5, relative where a statistic exceeds 1 (1e-5 x max(1, |reference|)): the running
   * variances reach 11.5, where float32 resolves 1e-6, and the batch variance of 4 samples carries the forward's
   * float32 differences (about 1e-6 relative) into them.
   */
  private static final double LOSS_TOLERANCE = 1e-5;
  private static final double GRADIENT_TOLERANCE = 1e-4;
  private static final double STATISTICS_TOLERANCE = 1e-5;
  private static final double STEP_TOLERANCE = 1e-5;
  /** Below this |gradient| Adam's first step is sign-sensitive and the README compares no updated value. */
  private static final double TINY_GRADIENT = 1e-6;
  /** Projector outputs: the forward tolerance of the inference set of the same model (groupvit-tiny). */
  private static final double OUTPUT_TOLERANCE = 1e-4;

  private static Path dir;
  private static JsonNode optimizer;
  private static TensorFile io;
  private static NDManager manager;
  private static GroupVitModel model;
  private static final Map<String, float[]> before = new LinkedHashMap<>();
  private static final Map<String, float[]> gradients = new LinkedHashMap<>();
  private static final Map<String, Shape> shapes = new LinkedHashMap<>();
  private static float contrastive;
  private static float multiLabel;
  private static float[] imageX;
  private static float[] textX;

  @BeforeAll
  static void step() throws IOException {
    dir = Fixtures.parityDir("groupvit-train-tiny");
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(IO)),
        dir + " holds no " + IO + ": not a GroupViT training-step fixture set");
    JsonNode root = new ObjectMapper().readTree(dir.resolve(CONFIG).toFile());
    optimizer = root.get("optimizer");
    io = TensorFile.open(dir.resolve(IO));
    manager = NDManager.newBaseManager();
    model = GroupVitCheckpoint.load(dir.resolve(WEIGHTS), GroupVitConfig.load(dir.resolve(CONFIG)), manager);
    model.state().forEach((name, p) -> {
      if (!GroupVitStateDict.isRunningStatistic(name)) {
        before.put(name, p.toFloatArray());
        shapes.put(name, p.getShape());
        p.setRequiresGradient(true);
      }
    });
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = tensor(scope, "images");
      long[] idShape = io.info("text_ids").shape(); // [B, 1 + K, L]
      NDArray ids = scope.create(io.readLongs("text_ids"), new Shape(idShape[0] * idShape[1], idShape[2]));
      List<NDArray> noise = new ArrayList<>();
      for (int stage = 0; io.names().contains("gumbel_noise_" + stage); stage++) {
        long[] s = io.info("gumbel_noise_" + stage).shape(); // [B, heads = 1, S, N]
        noise.add(tensor(scope, "gumbel_noise_" + stage).reshape(s[0], s[2], s[3]));
      }
      GroupVitTraining.Forward f;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        f = GroupVitTraining.forward(model, scope, images, ids, GroupVitModel.Pass.trainingWithNoise(noise));
        // frees any Java buffer that only autograd still holds, before the backward reads it
        TinyGroupVit.collectGarbage();
        gc.backward(f.loss());
      }
      contrastive = f.contrastive().getFloat();
      multiLabel = f.multiLabel().getFloat();
      imageX = f.imageX().toFloatArray();
      textX = f.textX().toFloatArray();
      assertThat(f.imageX().getShape()).isEqualTo(new Shape(io.info("image_x").shape()));
      assertThat(f.textX().getShape()).isEqualTo(new Shape(io.info("text_x_all").shape()));
    }
    model.state().forEach((name, p) -> {
      if (!GroupVitStateDict.isRunningStatistic(name)) {
        gradients.put(name, p.getGradient().toFloatArray());
      }
    });
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
    if (io != null) {
      io.close();
    }
  }

  @Test
  void bothLossesMatch() {
    report("loss", Math.abs(contrastive - scalar("loss")));
    report("multi_label_loss", Math.abs(multiLabel - scalar("multi_label_loss")));
    assertThat((double) contrastive).as("image-caption loss").isCloseTo(scalar("loss"), within(LOSS_TOLERANCE));
    assertThat((double) multiLabel).as("multi-label loss").isCloseTo(scalar("multi_label_loss"), within(LOSS_TOLERANCE));
  }

  @Test
  void projectorOutputsMatch() {
    assertThat(maxError(imageX, io.readFloats("image_x"), "image_x")).isLessThanOrEqualTo(OUTPUT_TOLERANCE);
    assertThat(maxError(textX, io.readFloats("text_x_all"), "text_x_all")).isLessThanOrEqualTo(OUTPUT_TOLERANCE);
  }

  /**
   * The official script clips in place ({@code clip_grad_norm_}) before it saves {@code .grad}, so the reference
   * gradients are the clipped ones (their norm is the clipping threshold whenever {@code grad_total_norm} exceeds
   * it): ours are compared after the same clipping, whose factor comes from our own norm.
   */
  @Test
  void everyGradientMatches() {
    double clip = clipFactor();
    Set<String> expected = new TreeSet<>();
    for (String n : io.names()) {
      if (n.startsWith("grad.")) {
        expected.add(n.substring("grad.".length()));
      }
    }
    assertThat(new TreeSet<>(gradients.keySet())).as("parameters with a reference gradient").isEqualTo(expected);
    double worst = 0;
    String worstName = null;
    List<String> failed = new ArrayList<>();
    for (Map.Entry<String, float[]> e : gradients.entrySet()) {
      float[] ref = io.readFloats("grad." + e.getKey());
      double scale = 1;
      for (float r : ref) {
        scale = Math.max(scale, Math.abs(r));
      }
      double err = maxError(clipped(e.getValue(), clip), ref, null) / scale;
      if (err > worst || Double.isNaN(err)) {
        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
        worstName = e.getKey();
      }
      if (!(err <= GRADIENT_TOLERANCE)) {
        failed.add(e.getKey() + " (" + err + ")");
      }
    }
    System.out.printf("parity groupvit-train gradients (%d) worst scaled error %.3g (%s)%n", gradients.size(), worst, worstName);
    assertThat(failed).as("gradients off by more than 1e-4 x max(1, max |reference|)").isEmpty();
  }

  @Test
  void theGlobalGradientNormMatches() {
    double norm = globalNorm();
    double ref = scalar("grad_total_norm");
    report("grad_total_norm", Math.abs(norm - ref));
    assertThat(norm).isCloseTo(ref, within(GRADIENT_TOLERANCE * Math.max(1, ref)));
  }

  @Test
  void batchNormRunningStatisticsAfterTheForwardMatch() {
    int checked = 0;
    for (String n : io.names()) {
      if (n.startsWith("bn.")) {
        String name = n.substring("bn.".length());
        float[] ref = io.readFloats(n);
        float[] ours = model.get(name).toFloatArray();
        assertThat(ours).as(n).hasSameSizeAs(ref);
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
          double err = Math.abs((double) ours[i] - ref[i]) / Math.max(1, Math.abs(ref[i]));
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(worst, err);
        }
        report(n + " (relative above 1)", worst);
        assertThat(worst).as(n).isLessThanOrEqualTo(STATISTICS_TOLERANCE);
        checked++;
      }
    }
    assertThat(checked).as("BatchNorm statistics compared").isEqualTo(4 * (model.config().projNumLayers() - 1));
  }

  /**
   * {@code torch.optim.AdamW}'s first step after {@code clip_grad_norm_}: the moments' bias corrections cancel, so
   * p' = p (1 - lr wd) - lr g / (|g| + eps) with g the clipped gradient, weight decay as the method's rule says.
   */
  @Test
  void everyParameterAfterOneAdamWStepWithTheOfficialDecayGroupsMatches() {
    Set<String> noDecay = new TreeSet<>();
    for (String name : before.keySet()) {
      if (!GroupVitTraining.officialDecay(name, shapes.get(name))) {
        noDecay.add(name);
      }
    }
    Set<String> officialNoDecay = new TreeSet<>();
    optimizer.get("no_decay_names").forEach(n -> officialNoDecay.add(n.asText()));
    assertThat(noDecay).as("parameters without weight decay").isEqualTo(officialNoDecay);
    double lr = optimizer.get("lr").asDouble();
    double wd = optimizer.get("weight_decay").asDouble();
    double eps = optimizer.get("eps").asDouble();
    double clip = clipFactor();
    double worst = 0;
    int compared = 0;
    List<String> failed = new ArrayList<>();
    for (Map.Entry<String, float[]> e : before.entrySet()) {
      String name = e.getKey();
      float[] p = e.getValue();
      float[] g = gradients.get(name);
      float[] refGrad = io.readFloats("grad." + name);
      float[] ref = io.readFloats("after." + name);
      double decay = noDecay.contains(name) ? 1 : 1 - lr * wd;
      for (int i = 0; i < p.length; i++) {
        if (Math.abs(refGrad[i]) <= TINY_GRADIENT) {
          continue;
        }
        double gi = g[i] * clip;
        double updated = p[i] * decay - lr * gi / (Math.abs(gi) + eps);
        double err = Math.abs(updated - ref[i]);
        worst = Math.max(worst, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
        compared++;
        if (!(err <= STEP_TOLERANCE)) {
          failed.add(name + "[" + i + "] " + updated + " vs " + ref[i]);
        }
      }
    }
    System.out.printf("parity groupvit-train after AdamW: %d values compared, max abs error %.3g%n", compared, worst);
    assertThat(failed).as("parameters after the step off by more than 1e-5").isEmpty();
    assertThat(compared).isPositive();
  }

  /** {@code clip_grad_norm_}'s factor: threshold / (norm + 1e-6), at most 1. */
  private static double clipFactor() {
    return Math.min(1, optimizer.get("clip_grad_norm").asDouble() / (globalNorm() + 1e-6));
  }

  private static float[] clipped(float[] g, double factor) {
    float[] out = new float[g.length];
    for (int i = 0; i < g.length; i++) {
      out[i] = (float) (g[i] * factor);
    }
    return out;
  }

  private static double globalNorm() {
    double squares = 0;
    for (float[] g : gradients.values()) {
      for (float v : g) {
        squares += (double) v * v;
      }
    }
    return Math.sqrt(squares);
  }

  private static NDArray tensor(NDManager m, String name) {
    return m.create(io.readFloats(name), new Shape(io.info(name).shape())).toType(DataType.FLOAT32, false);
  }

  private static double scalar(String name) {
    return io.readFloats(name)[0];
  }

  private static double maxError(float[] actual, float[] expected, String label) {
    assertThat(actual).as(label == null ? "values" : label).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs((double) actual[i] - expected[i]);
      max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
    }
    if (label != null) {
      report(label, max);
    }
    return max;
  }

  private static void report(String name, double error) {
    System.out.printf("parity groupvit-train %-45s max abs error %.3g%n", name, error);
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }
}

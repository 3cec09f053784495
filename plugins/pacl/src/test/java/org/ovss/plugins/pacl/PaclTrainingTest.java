package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainSpec;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.testkit.AdamTestEngine;

/** Training on a frozen random tiny CLIP: what trains, what does not, the loss going down, determinism. */
class PaclTrainingTest {
  @TempDir Path dir;

  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void loadTokenizer() {
    tokenizer = ClipTokenizer.fromBpeGz(Tiny.bpe());
  }

  private static Map<String, String> settings(String... kv) {
    Map<String, String> s = new HashMap<>(Map.of("batch-size", "6"));
    for (int i = 0; i < kv.length; i += 2) {
      s.put(kv[i], kv[i + 1]);
    }
    return s;
  }

  static PaclTraining training(Path dir, NDManager m, ImageTextSource data, Map<String, String> settings) {
    ClipModel clip = ClipWeights.load(Tiny.clip(dir, 3L), m, ClipWeights.Heads.DEFAULT);
    PaclTrainSettings s = PaclTrainSettings.of(settings);
    PaclConfig c = s.modelConfig(clip.config().embedDim(), PaclMethod.clipTemperature(clip));
    Map<String, NDArray> embedder =
        PaclEmbedder.initialize(c, clip.config().visionWidth(), clip.config().embedDim(), 11L, m);
    return new PaclTraining(clip, tokenizer == null ? ClipTokenizer.fromBpeGz(Tiny.bpe()) : tokenizer, data, s, c,
        embedder, m);
  }

  private static double loss(PaclTraining t, NDManager m, int step) {
    try (NDManager scope = m.newSubManager()) {
      return t.loss(scope, step, 9L).getFloat();
    }
  }

  private static Map<String, float[]> clipValues(ClipModel clip) {
    Map<String, float[]> v = new LinkedHashMap<>();
    for (Map.Entry<String, NamedParameter> e : clip.stateDict().entrySet()) {
      v.put(e.getKey(), e.getValue().parameter().getArray().toFloatArray());
    }
    return v;
  }

  @Test
  void theGradientReachesTheEmbedderAndNothingElse() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclTraining t = training(dir, m, Tiny.source(8, 32, 32), settings());
      assertThat(t.parameters().keySet()).allMatch(n -> n.startsWith("embedder."));
      t.parameters().values().forEach(p -> p.setRequiresGradient(true));
      // even a CLIP whose arrays ask for gradients (say, shared with another trainer) gets none
      t.clip().stateDict().values().forEach(p -> p.parameter().getArray().setRequiresGradient(true));
      try (NDManager scope = m.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(t.loss(scope, 0, 1L));
        }
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
          assertThat(e.getValue().getGradient().abs().sum().getFloat()).as("gradient of " + e.getKey()).isPositive();
        }
        for (Map.Entry<String, NamedParameter> e : t.clip().stateDict().entrySet()) {
          NDArray g = e.getValue().parameter().getArray().getGradient();
          assertThat(g.abs().sum().getFloat()).as("gradient of CLIP's " + e.getKey()).isZero();
        }
      }
    }
  }

  @Test
  void trainingStepsMoveTheEmbedderAndLeaveTheClipAsItWas() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclTraining t = training(dir, m, Tiny.source(8, 32, 32), settings());
      Map<String, float[]> before = clipValues(t.clip());
      Map<String, float[]> embedderBefore = new LinkedHashMap<>();
      t.parameters().forEach((k, v) -> embedderBefore.put(k, v.toFloatArray()));
      new AdamTestEngine(1e-2).fit(t, new TrainSpec(dir.resolve("out"), 3, 1L, Map.of()), TrainListener.NONE);
      Map<String, float[]> after = clipValues(t.clip());
      for (String name : before.keySet()) {
        // Arrays.equals: AssertJ's containsExactly is quadratic on the 3M-entry token embedding
        assertThat(java.util.Arrays.equals(after.get(name), before.get(name))).as("CLIP's " + name + " unchanged").isTrue();
      }
      for (String name : embedderBefore.keySet()) {
        assertThat(t.parameters().get(name).toFloatArray()).as(name).isNotEqualTo(embedderBefore.get(name));
      }
    }
  }

  @Test
  void fewStepsReduceTheLossOfAFixedBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclTraining t = training(dir, m, Tiny.source(12, 32, 32), settings());
      double before = loss(t, m, 0);
      AdamTestEngine engine = new AdamTestEngine(1e-2);
      engine.fit(t, new TrainSpec(dir.resolve("out"), 30, 5L, Map.of()), TrainListener.NONE);
      double after = loss(t, m, 0);
      System.out.printf("pacl training: loss of a fixed batch before %.4f, after 30 steps %.4f%n", before, after);
      assertThat(after).isLessThan(before * 0.8);
    }
  }

  @Test
  void everyVariantGivesAFiniteLossThatTrains() {
    String[][] variants = {
      {"embedder", "nms05"},
      {"patch-weighting", "sigmoid", "pairing", "own"},
      {"patch-similarity", "dot", "patch-temperature", "1"},
      {"patch-tokens", "last-block", "temperature", "0.1", "embedder-hidden", "16"},
    };
    for (String[] v : variants) {
      try (NDManager m = NDManager.newBaseManager()) {
        PaclTraining t = training(dir, m, Tiny.source(12, 32, 32), settings(v));
        double before = loss(t, m, 0);
        new AdamTestEngine(1e-2).fit(t, new TrainSpec(dir.resolve("out"), 10, 5L, Map.of()), TrainListener.NONE);
        double after = loss(t, m, 0);
        assertThat(before).as(String.join(" ", v)).isFinite().isPositive();
        assertThat(after).as(String.join(" ", v)).isLessThan(before);
      }
    }
  }

  @Test
  void aStepsLossDependsOnlyOnSeedAndStepAndLeaksNoArrays() {
    try (NDManager m = NDManager.newBaseManager()) {
      // the NMS05 embedder draws a dropout mask each step: it must come from (seed, step) too
      PaclTraining t = training(dir, m, Tiny.source(8, 32, 40), settings("embedder", "nms05"));
      double first = loss(t, m, 3);
      int arrays = m.getManagedArrays().size();
      assertThat(loss(t, m, 4)).isNotEqualTo(first);
      assertThat(loss(t, m, 3)).isEqualTo(first);
      assertThat(m.getManagedArrays().size()).as("arrays left in the model's manager after steps").isEqualTo(arrays);
    }
  }

  @Test
  void imagesOfAnotherSizeAreResizedToTheClipResolution() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclTraining t = training(dir, m, Tiny.source(8, 45, 27), settings());
      assertThat(loss(t, m, 0)).isFinite().isPositive();
    }
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("batch", "4"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("[batch]").hasMessageContaining("batch-size").hasMessageContaining("patch-temperature")
        .hasMessageContaining("lr");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("embedder", "mlp"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'embedder'").hasMessageContaining("[paper, nms05]");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("patch-temperature", "0")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("patch-temperature");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("temperature", "warm")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("temperature");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("dropout", "1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("[0, 1)");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("pairing", "some"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("pairing");
    assertThatThrownBy(() -> PaclTrainSettings.of(Map.of("batch-size", "1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("batch-size");
    PaclTrainSettings s = PaclTrainSettings.of(Map.of("lr", "1e-3", "warmup-steps", "5"));
    assertThat(s.batchSize()).isEqualTo(PaclTrainSettings.DEFAULT_BATCH);
    PaclConfig c = s.modelConfig(512, 0.01);
    assertThat(c.embedder()).isEqualTo(PaclConfig.Embedder.PAPER);
    assertThat(c.hidden()).isEqualTo(512);
    assertThat(c.tokens()).isEqualTo(PaclConfig.Tokens.LN_POST);
    assertThat(c.similarity()).isEqualTo(PaclConfig.Similarity.COSINE);
    assertThat(c.weighting()).isEqualTo(PaclConfig.Weighting.SOFTMAX);
    assertThat(c.patchTemperature()).isEqualTo(PaclTrainSettings.DEFAULT_PATCH_TEMPERATURE);
    assertThat(c.temperature()).isEqualTo(0.01);
  }
}

package org.ovss.plugins.simseg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.testkit.AdamTestEngine;

/** LoDA training on a tiny synthetic source: the loss falls, steps are reproducible, export and open agree. */
class SimsegTrainingTest {
  @TempDir Path dir;

  private static Map<String, String> settings(String... extra) {
    Map<String, String> s = new HashMap<>(Tiny.SETTINGS);
    for (int i = 0; i < extra.length; i += 2) {
      s.put(extra[i], extra[i + 1]);
    }
    return s;
  }

  private static double loss(SimsegTraining t, NDManager m, int step) {
    try (NDManager scope = m.newSubManager()) {
      return t.loss(scope, step, 1L).getFloat();
    }
  }

  @Test
  void fewStepsReduceTheLossOfAFixedBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      SimsegTraining t = SimsegTraining.fromScratch(Tiny.source(12, 32), SimsegTrainSettings.of(settings()), 4L, m);
      double before = loss(t, m, 0);
      float tau = t.model().temperature().getFloat();
      AdamTestEngine engine = new AdamTestEngine(2e-3);
      engine.fit(t, new TrainSpec(dir.resolve("out"), 30, 1L, Map.of()), TrainListener.NONE);
      double after = loss(t, m, 0);
      System.out.printf("simseg training: loss of step 0 before %.4f, after 30 steps %.4f%n", before, after);
      assertThat(engine.losses()).allMatch(Double::isFinite);
      assertThat(after).isLessThan(before * 0.8);
      assertThat(t.model().temperature().getFloat()).as("the temperature is learned").isNotEqualTo(tau);
    }
  }

  @Test
  void aStepsLossDependsOnlyOnSeedAndStepAndLeaksNoArrays() {
    try (NDManager m = NDManager.newBaseManager()) {
      SimsegTraining t = SimsegTraining.fromScratch(Tiny.source(12, 32), SimsegTrainSettings.of(settings()), 4L, m);
      double first = loss(t, m, 3);
      int arrays = m.getManagedArrays().size();
      assertThat(loss(t, m, 4)).isNotEqualTo(first);
      assertThat(loss(t, m, 3)).isEqualTo(first);
      assertThat(m.getManagedArrays().size()).as("arrays left in the model's manager after steps").isEqualTo(arrays);
    }
  }

  @Test
  void theParametersAreBothTowersAndTheTemperatureButNotClipsLogitScale() {
    try (NDManager m = NDManager.newBaseManager()) {
      SimsegTraining t = SimsegTraining.fromScratch(Tiny.source(12, 32), SimsegTrainSettings.of(settings()), 4L, m);
      assertThat(t.parameters()).containsKeys("visual.conv1.weight", "visual.proj", "token_embedding.weight",
          "text_projection", SimsegCheckpoint.TEMPERATURE).doesNotContainKey("logit_scale");
      assertThat(t.parameters().get(SimsegCheckpoint.TEMPERATURE).getFloat()).isEqualTo(0.02f);
      assertThat(t.parameters().get(SimsegCheckpoint.TEMPERATURE).getShape()).isEqualTo(new Shape());
    }
  }

  @Test
  void exportThenOpenGivesTheTrainedModelsFeatures() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SimsegTraining t = SimsegTraining.fromScratch(Tiny.source(12, 32), SimsegTrainSettings.of(settings("text-k", "3")), 4L, m);
      new AdamTestEngine(2e-3).fit(t, new TrainSpec(dir.resolve("out"), 2, 1L, Map.of()), TrainListener.NONE);
      Path weights = dir.resolve("out").resolve(SimsegCheckpoint.WEIGHTS_FILE);
      assertThat(weights).isRegularFile();
      assertThat(dir.resolve("out").resolve("vocab.json")).isRegularFile();
      assertThat(dir.resolve("out").resolve("merges.txt")).isRegularFile();
      String json = Files.readString(dir.resolve("out").resolve(SimsegCheckpoint.CONFIG_FILE));
      assertThat(json).contains("\"imageK\" : 5").contains("\"textK\" : 3").contains("\"normalization\" : \"clip\"");
      try (SegmentationMethod method = new SimsegProvider().open(MethodConfig.of(weights, null))) {
        float[] pixels = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (float) Math.sin(i * 0.37);
        }
        NDArray w = m.create(pixels, new Shape(2, 3, 32, 32));
        float[] opened = method.encodeImage(w).toFloatArray();
        NDArray tokens = t.model().patchTokens(w, false); // [2, 16, E]
        float[] trained = tokens.transpose(0, 2, 1).toFloatArray();
        assertThat(opened).containsExactly(trained);
        // the prompts' embeddings: text-k 1 (the inference default), templates averaged
        List<ClassPrompt> classes = List.of(ClassPrompt.of("red"), ClassPrompt.of("blue"));
        float[] encoded = method.encodeText(classes, new PromptSet("one", List.of("a {} square"))).embeddings().toFloatArray();
        ClipTokenizer tok = t.tokenizer();
        int[] ids = new int[2 * 16];
        System.arraycopy(tok.tokenize("a red square", 16), 0, ids, 0, 16);
        System.arraycopy(tok.tokenize("a blue square", 16), 0, ids, 16, 16);
        NDArray idArray = m.create(ids, new Shape(2, 16));
        float[] want = Loda.textEmbedding(t.model().textTokens(idArray, false), TextTokens.poolable(idArray), 1).toFloatArray();
        for (int i = 0; i < want.length; i++) {
          assertThat(encoded[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
      }
      try (NDManager m2 = NDManager.newBaseManager()) {
        SimsegModel back = SimsegCheckpoint.load(weights, m2, org.ovss.clip.weights.ClipWeights.Heads.DEFAULT);
        assertThat(back.temperature().getFloat()).isEqualTo(t.model().temperature().getFloat());
        assertThat(back.meta()).isEqualTo(new SimsegModel.Meta(5, 3, SimsegModel.Normalization.CLIP));
      }
    }
  }

  @Test
  void zeroStepsExportTheSeededInitialisation() {
    Path a = Tiny.checkpoint(dir.resolve("a"), 9L);
    Path b = Tiny.checkpoint(dir.resolve("b"), 9L);
    assertThat(a.getFileName().toString()).isEqualTo(SimsegCheckpoint.WEIGHTS_FILE);
    try (NDManager m = NDManager.newBaseManager()) {
      SimsegModel ma = SimsegCheckpoint.load(a, m, org.ovss.clip.weights.ClipWeights.Heads.DEFAULT);
      SimsegModel mb = SimsegCheckpoint.load(b, m, org.ovss.clip.weights.ClipWeights.Heads.DEFAULT);
      assertThat(ma.temperature().getFloat()).isEqualTo(0.02f);
      assertThat(ma.meta()).isEqualTo(SimsegModel.Meta.DEFAULT);
      assertThat(ma.clip().stateDict().get("visual.proj").parameter().getArray().toFloatArray())
          .containsExactly(mb.clip().stateDict().get("visual.proj").parameter().getArray().toFloatArray());
    }
  }

  @Test
  void trainingContinuesFromAnOpenedCheckpointWithItsTokenizer() {
    Path init = Tiny.checkpoint(dir.resolve("init"), 2L);
    try (SegmentationMethod method = new SimsegProvider().open(MethodConfig.of(init, null))) {
      TrainResult r = method.train(new TrainSpec(dir.resolve("more"), 1, 3L, Map.of("batch-size", "4", "normalization", "imagenet")),
          Tiny.source(8, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
      assertThat(r.finalLoss()).isFinite();
      try (SegmentationMethod again = new SimsegProvider().open(MethodConfig.of(r.checkpoint(), null))) {
        InputSpec spec = again.inputSpec();
        assertThat(spec.mean()).containsExactly(0.485f, 0.456f, 0.406f);
      }
      assertThatThrownBy(() -> method.train(new TrainSpec(dir.resolve("x"), 1, 3L, Map.of("arch.width", "64")),
          Tiny.source(8, 32), new AdamTestEngine(1e-3), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("arch.width");
    }
  }

  @Test
  void aConfigWithAnUnknownKeyIsRefusedNamingIt() throws Exception {
    Files.writeString(dir.resolve(SimsegCheckpoint.CONFIG_FILE),
        "{\"format\": \"" + SimsegCheckpoint.FORMAT + "\", \"imageK\": 5, \"textK\": 5, \"imagek\": 3}");
    assertThatThrownBy(() -> SimsegCheckpoint.readMeta(dir.resolve(SimsegCheckpoint.WEIGHTS_FILE)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown key 'imagek'")
        .hasMessageContaining(SimsegCheckpoint.CONFIG_FILE);
  }

  @Test
  void settingsAreValidatedNamingTheKey() {
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("bogus", "1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bogus").hasMessageContaining("image-k").hasMessageContaining("lr");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("image-k", "0"))).hasMessageContaining("image-k");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("text-k", "x"))).hasMessageContaining("text-k");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("batch-size", "1"))).hasMessageContaining("batch-size");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("temperature-init", "0.9"))).hasMessageContaining("temperature-init");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("normalization", "imagenet21k"))).hasMessageContaining("normalization");
    assertThatThrownBy(() -> SimsegTrainSettings.of(Map.of("arch.patch", "7"))).hasMessageContaining("arch.patch");
    SimsegTrainSettings s = SimsegTrainSettings.of(Map.of("lr", "1e-3", "warmup-steps", "3"));
    assertThat(s.imageK()).isEqualTo(5);
    assertThat(s.textK()).isEqualTo(5);
    assertThat(s.temperatureInit()).isEqualTo(0.02f);
    assertThat(s.batchSize()).isEqualTo(64);
    assertThat(s.architecture().imageSize()).isEqualTo(96);
  }
}

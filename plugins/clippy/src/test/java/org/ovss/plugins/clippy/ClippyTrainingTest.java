package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.nn.Norms;
import org.ovss.testkit.AdamTestEngine;

/** Training through the method API with a stand-in engine, export and reopening, settings validation. */
class ClippyTrainingTest {
  @TempDir Path dir;

  private static final MethodConfig NO_WEIGHTS = new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), 0L);

  @Test
  void aFewStepsReduceTheLoss() {
    AdamTestEngine engine = new AdamTestEngine(2e-3);
    try (SegmentationMethod method = new ClippyProvider().open(NO_WEIGHTS)) {
      TrainResult r = method.train(new TrainSpec(dir.resolve("run"), 40, 3L, Tiny.settings()), Tiny.source(36, 32, 32),
          engine, TrainListener.NONE);
      assertThat(r.steps()).isEqualTo(40);
      assertThat(Files.isRegularFile(r.checkpoint())).isTrue();
    }
    List<Double> l = engine.losses();
    double first = l.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = l.subList(l.size() - 5, l.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(l).allMatch(Double::isFinite);
    // log(8) = 2.08 is chance for a batch of 8
    assertThat(first).isGreaterThan(1.5);
    assertThat(last).as("mean loss of the last 5 steps vs the first 5 (" + first + ")").isLessThan(first - 0.5);
  }

  @Test
  void theLossOfAStepDependsOnlyOnSeedAndStep() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyTraining a = ClippyTraining.fromScratch(Tiny.source(36, 32, 32), ClippyTrainSettings.of(Tiny.settings()), 4L, m);
      ClippyTraining b = ClippyTraining.fromScratch(Tiny.source(36, 32, 32), ClippyTrainSettings.of(Tiny.settings()), 4L, m);
      try (NDManager s = m.newSubManager()) {
        float la = a.loss(s, 5, 1L).getFloat();
        assertThat(b.loss(s, 5, 1L).getFloat()).isEqualTo(la);
        assertThat(a.loss(s, 6, 1L).getFloat()).isNotEqualTo(la);
      }
    }
  }

  @Test
  void exportAtZeroStepsOpensToTheSameModel() {
    Path out = dir.resolve("untrained");
    try (SegmentationMethod method = new ClippyProvider().open(NO_WEIGHTS)) {
      method.train(new TrainSpec(out, 0, 8L, Tiny.settings("text-pool", "max", "image-pool", "mean")),
          Tiny.source(36, 32, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
    }
    Path weights = out.resolve(ClippyCheckpoint.WEIGHTS_FILE);
    assertThat(weights).isRegularFile();
    assertThat(out.resolve(ClippyConfig.FILE)).isRegularFile();
    assertThat(out.resolve("vocab.json")).isRegularFile();
    assertThat(out.resolve("merges.txt")).isRegularFile();
    assertThat(ClippyConfig.read(out.resolve(ClippyConfig.FILE)).textPool()).isEqualTo(ClippyConfig.TextPool.MAX);

    try (NDManager m = NDManager.newBaseManager()) {
      // the same seed builds the same initial model
      ClippyTraining fresh = ClippyTraining.fromScratch(Tiny.source(36, 32, 32),
          ClippyTrainSettings.of(Tiny.settings("text-pool", "max", "image-pool", "mean")), 8L, m);
      NDArray images = m.randomNormal(new Shape(2, 3, 32, 32));
      float[] expected = fresh.model().denseFeatures(images).toFloatArray();
      NDArray ids = m.create(fresh.tokenizer().tokenize("a red square on white", 16), new Shape(1, 16));
      float[] expectedText = fresh.model().encodeText(ids).toFloatArray();
      try (ClippyMethod method = (ClippyMethod) new ClippyProvider().open(MethodConfig.of(weights, null))) {
        assertThat(method.model().config()).isEqualTo(new ClippyConfig(ClippyConfig.ImagePool.MEAN,
            ClippyConfig.TextPool.MAX, ClippyConfig.TextAttention.BIDIRECTIONAL));
        assertThat(method.model().clipConfig()).isEqualTo(fresh.model().clipConfig());
        assertThat(method.encodeImage(images).toFloatArray()).containsExactly(expected);
        assertThat(method.model().encodeText(ids).toFloatArray()).containsExactly(expectedText);
      }
    }
  }

  @Test
  void trainedModelSegmentsWithPerTokenCosines() {
    Path out = dir.resolve("trained");
    try (SegmentationMethod method = new ClippyProvider().open(NO_WEIGHTS)) {
      method.train(new TrainSpec(out, 3, 2L, Tiny.settings()), Tiny.source(36, 32, 32), new AdamTestEngine(1e-3),
          TrainListener.NONE);
    }
    try (SegmentationMethod method = new ClippyProvider().open(MethodConfig.of(out.resolve(ClippyCheckpoint.WEIGHTS_FILE), null));
        NDManager m = NDManager.newBaseManager()) {
      List<ClassPrompt> classes = List.of(ClassPrompt.of("red"), new ClassPrompt("blue", List.of("blue", "blue square")));
      QueryEmbeddings q = method.encodeText(classes, new PromptSet("t", List.of("a {} square")));
      NDArray windows = m.randomNormal(new Shape(1, 3, 32, 32));
      NDArray logits = method.segment(windows, q);
      assertThat(logits.getShape()).isEqualTo(new Shape(1, 3, 4, 4));
      // logits are cosines: the normalised features dotted with the normalised queries
      NDArray f = Norms.l2Normalize(method.encodeImage(windows).reshape(16, 16).transpose()); // [E, N] -> [N, E]
      float[] expected = f.matMul(q.embeddings().transpose()).transpose().toFloatArray(); // [Q, N]
      float[] actual = logits.toFloatArray();
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(expected[i] - actual[i])).isLessThan(1e-5f);
        assertThat(Math.abs(actual[i])).isLessThanOrEqualTo(1.00001f);
      }
    }
  }

  @Test
  void meanSynonymsGiveOneQueryPerClass() {
    Path weights = Tiny.checkpoint(dir.resolve("ckpt"), 3L);
    List<ClassPrompt> classes = List.of(ClassPrompt.of("red"), new ClassPrompt("blue", List.of("blue", "navy", "azure")));
    PromptSet prompts = new PromptSet("t", List.of("a {} square", "the {}"));
    try (SegmentationMethod max = new ClippyProvider().open(MethodConfig.of(weights, null));
        SegmentationMethod mean = new ClippyProvider().open(MethodConfig.of(weights, null).withOptions(Map.of("synonyms", "mean")))) {
      QueryEmbeddings perSynonym = max.encodeText(classes, prompts);
      QueryEmbeddings perClass = mean.encodeText(classes, prompts);
      assertThat(perSynonym.queryClass()).containsExactly(0, 1, 1, 1);
      assertThat(perClass.queryClass()).containsExactly(0, 1);
      // class 1 = normalised mean of its three synonym queries
      NDArray expected = Norms.l2Normalize(perSynonym.embeddings().get("1:4").mean(new int[] {0}));
      float[] e = expected.toFloatArray();
      float[] a = perClass.embeddings().get(1).toFloatArray();
      for (int i = 0; i < e.length; i++) {
        assertThat(Math.abs(e[i] - a[i])).isLessThan(1e-5f);
      }
    }
  }

  @Test
  void invalidSettingsAreRejectedByName() {
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("patch-dropuot", "0.5")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("patch-dropuot").hasMessageContaining("patch-dropout");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("patch-dropout", "1")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("patch-dropout");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("train-image-size", "100")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("multiple of the patch size 8");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("image-pool", "attention")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("image-pool").hasMessageContaining("[max, mean, cls]");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("arch.width", "90")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("arch");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("flip", "yes")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("flip");
    assertThatThrownBy(() -> ClippyTrainSettings.of(Map.of("batch-size", "1")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("batch-size");
    ClippyTrainSettings ok = ClippyTrainSettings.of(Map.of("lr", "1e-3", "patch-dropout", "0", "train-image-size", "192"));
    assertThat(ok.patchDropout()).isZero();
    assertThat(ok.trainImageSize()).isEqualTo(192);
    assertThat(ok.model()).isEqualTo(ClippyConfig.DEFAULT);
  }

  @Test
  void continuingFromWeightsKeepsTheArchitecture() {
    Path weights = Tiny.checkpoint(dir.resolve("start"), 3L);
    MethodConfig from = MethodConfig.of(weights, null);
    try (SegmentationMethod method = new ClippyProvider().open(from)) {
      assertThatThrownBy(() -> method.train(new TrainSpec(dir.resolve("x"), 1, 0L, Map.of("arch.width", "64")),
          Tiny.source(36, 32, 32), new AdamTestEngine(1e-3), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("arch.width");
      TrainResult r = method.train(new TrainSpec(dir.resolve("more"), 2, 0L, Map.of("batch-size", "8")),
          Tiny.source(36, 32, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
      assertThat(r.checkpoint()).isRegularFile();
    }
  }

  @Test
  void unknownOptionsAndMissingWeightsGiveClearErrors() {
    assertThatThrownBy(() -> new ClippyProvider().open(NO_WEIGHTS.withOptions(Map.of("synonym", "mean"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("synonym").hasMessageContaining("synonyms");
    try (SegmentationMethod method = new ClippyProvider().open(NO_WEIGHTS)) {
      assertThatThrownBy(method::inputSpec).isInstanceOf(InvalidInputException.class).hasMessageContaining("without weights");
    }
    assertThatThrownBy(() -> new ClippyProvider().open(MethodConfig.of(dir.resolve("none.safetensors"), null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not exist");
  }
}

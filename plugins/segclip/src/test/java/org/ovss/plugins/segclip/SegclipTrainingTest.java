package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.testkit.AdamTestEngine;

/** Training from a random tiny CLIP on a synthetic source: losses, determinism, export and reload. */
class SegclipTrainingTest {
  @TempDir Path dir;

  private static final Map<String, String> SMALL = Map.of(
      "batch-size", "4", "first-stage-layers", "1", "centers", "4", "cross-layers", "1",
      "mae-decoder-dim", "32", "mae-decoder-depth", "1", "mae-decoder-heads", "4");

  private static Map<String, String> settings(String... extra) {
    Map<String, String> s = new HashMap<>(SMALL);
    for (int i = 0; i < extra.length; i += 2) {
      s.put(extra[i], extra[i + 1]);
    }
    return s;
  }

  private SegclipTraining training(NDManager m, ImageTextSource data, Map<String, String> config) {
    Path clip = Tiny.clip(dir, 3L);
    SegclipMethod method = (SegclipMethod) new SegclipProvider().open(MethodConfig.of(clip, Tiny.bpe()));
    SegclipTrainSettings s = SegclipTrainSettings.of(config);
    SegclipModel model = method.initialModel(clip, s, 11L, m);
    method.close();
    return new SegclipTraining(model, ClipTokenizer.fromBpeGz(Tiny.bpe()), data, s, m);
  }

  @Test
  void fewStepsReduceTheLossOfAFixedBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipTraining t = training(m, Tiny.source(12, 36, 44), settings("lower-lr-ratio", "1"));
      double before = loss(t, m, 0);
      new AdamTestEngine(2e-3).fit(t, new TrainSpec(dir.resolve("out"), 25, 5L, Map.of()), TrainListener.NONE);
      double after = loss(t, m, 0);
      System.out.printf("segclip training: loss of step 0 before %.4f, after 25 steps %.4f%n", before, after);
      assertThat(after).isLessThan(before * 0.9);
    }
  }

  @Test
  void eachLossAloneIsFiniteAndPositive() {
    try (NDManager m = NDManager.newBaseManager()) {
      ImageTextSource data = Tiny.source(8, 32, 32);
      for (String only : new String[] {"contrastive", "reconstruction", "superpixel"}) {
        Map<String, String> s = settings("loss-weight-contrastive", "0", "loss-weight-reconstruction", "0",
            "loss-weight-superpixel", "0");
        s.put("loss-weight-" + only, "1");
        double l = loss(training(m, data, s), m, 0);
        assertThat(l).as(only + " loss").isFinite().isPositive();
      }
    }
  }

  @Test
  void aStepsLossDependsOnlyOnSeedAndStepAndLeaksNoArrays() {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipTraining t = training(m, Tiny.source(8, 32, 40), settings());
      double first = loss(t, m, 3);
      int arrays = m.getManagedArrays().size();
      assertThat(loss(t, m, 4)).isNotEqualTo(first);
      assertThat(loss(t, m, 3)).isEqualTo(first);
      assertThat(m.getManagedArrays().size()).as("arrays left in the model's manager after steps").isEqualTo(arrays);
    }
  }

  @Test
  void lowerRateParametersTrainAtTheirShareOfTheRateAndEmbeddingsAreFrozen() {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipTraining t = training(m, Tiny.source(8, 32, 32), settings("lower-lr-ratio", "0.001"));
      String lower = "clip.transformer.resblocks.0.attn.in_proj_weight";
      String upper = "clip.visual.transformer.layers2.0.attn.in_proj_weight";
      assertThat(t.parameters()).containsKey("clip.visual.transformer.layers0.0.ln_1.weight")
          .containsKey(lower)
          .containsKey("clip.visual.transformer.layers2.0.ln_1.weight")
          .containsKey("clip.visual.transformer.semantic_layer2.semantic_center")
          .doesNotContainKey("clip.visual.conv1.weight")
          .doesNotContainKey("clip.token_embedding.weight")
          .doesNotContainKey("vis_mae_decoder.decoder_pos_embed");
      assertThat(t.learningRateScale(lower)).isEqualTo(0.001);
      assertThat(t.learningRateScale("clip.logit_scale")).isEqualTo(0.001);
      assertThat(t.learningRateScale(upper)).isEqualTo(1);
      // the official no-decay rule: names with "bias"; LayerNorm gains and logit_scale are decayed
      assertThat(t.decays("clip.visual.transformer.layers2.0.ln_1.weight", t.parameters().get(upper))).isTrue();
      assertThat(t.decays("clip.logit_scale", t.parameters().get(upper))).isTrue();
      assertThat(t.decays("clip.visual.transformer.layers2.0.attn.in_proj_bias", t.parameters().get(upper))).isFalse();
      float[] lowerBefore = t.parameters().get(lower).toFloatArray();
      float[] upperBefore = t.parameters().get(upper).toFloatArray();
      float[] conv1 = t.model().parameters().get("clip.visual.conv1.weight").toFloatArray();
      new AdamTestEngine(1e-2).fit(t, new TrainSpec(dir.resolve("out"), 2, 1L, Map.of()), TrainListener.NONE);
      double lowerMove = maxMove(lowerBefore, t.parameters().get(lower).toFloatArray());
      double upperMove = maxMove(upperBefore, t.parameters().get(upper).toFloatArray());
      // Adam moves a parameter by about its rate per step: 1e-2 for the rest, a thousandth of that for the lower group
      assertThat(upperMove).isGreaterThan(5e-3);
      assertThat(lowerMove).isGreaterThan(0).isLessThan(2 * 2e-5);
      assertThat(t.model().parameters().get("clip.visual.conv1.weight").toFloatArray()).containsExactly(conv1);
    }
  }

  private static double maxMove(float[] before, float[] after) {
    double max = 0;
    for (int i = 0; i < before.length; i++) {
      max = Math.max(max, Math.abs((double) after[i] - before[i]));
    }
    return max;
  }

  @Test
  void zeroStepsExportTheInitialisationWithClipBlocksCopied() throws Exception {
    Path clip = Tiny.clip(dir, 3L);
    try (SegmentationMethod method = new SegclipProvider().open(MethodConfig.of(clip, Tiny.bpe()))) {
      TrainResult r = method.train(new TrainSpec(dir.resolve("init"), 0, 9L, settings()), Tiny.source(6, 32, 32),
          new AdamTestEngine(1e-3), TrainListener.NONE);
      assertThat(r.checkpoint()).isEqualTo(dir.resolve("init").resolve(SegclipTraining.WEIGHTS_FILE));
      assertThat(dir.resolve("init").resolve(SegclipWeights.CONFIG_FILE)).isRegularFile();
      assertThat(dir.resolve("init").resolve("vocab.json")).isRegularFile();
      assertThat(dir.resolve("init").resolve("merges.txt")).isRegularFile();
      assertThat(SegclipWeights.detect(r.checkpoint())).isEqualTo(SegclipWeights.Kind.SEGCLIP);
      try (NDManager m = NDManager.newBaseManager()) {
        SegclipModel exported = SegclipWeights.load(r.checkpoint(), m, SegclipWeights.Heads.DEFAULT);
        ClipModel original = ClipWeights.load(clip, m, ClipWeights.Heads.DEFAULT);
        assertThat(exported.config().firstStageLayers()).isEqualTo(1);
        assertThat(exported.config().laterLayers()).isEqualTo(1);
        assertThat(exported.config().visionHeads()).isEqualTo(original.config().visionHeads());
        for (Map.Entry<String, NamedParameter> e : original.stateDict().entrySet()) {
          float[] want = e.getValue().parameter().getArray().toFloatArray();
          float[] got = exported.parameters().get(SegclipWeights.segclipName(e.getKey(), 1)).toFloatArray();
          assertIdentical(got, want, e.getKey());
        }
        // the exported directory opens for inference, tokenizer included
        try (SegmentationMethod reopened = new SegclipProvider().open(
            new MethodConfig(Optional.of(r.checkpoint()), Optional.empty(), Map.of(), 0L))) {
          assertThat(reopened.inputSpec().resolution()).isEqualTo(32);
          assertThat(reopened.encodeText(java.util.List.of(org.ovss.api.ClassPrompt.of("red")),
              org.ovss.api.PromptSet.named("a-photo-of")).queryCount()).isEqualTo(1);
        }
      }
    }
  }

  @Test
  void continuingFromAnExportedCheckpointRestartsFromItsValues() {
    Path clip = Tiny.clip(dir, 3L);
    TrainResult first;
    try (SegmentationMethod method = new SegclipProvider().open(MethodConfig.of(clip, Tiny.bpe()))) {
      first = method.train(new TrainSpec(dir.resolve("a"), 2, 9L, settings()), Tiny.source(6, 32, 32),
          new AdamTestEngine(1e-3), TrainListener.NONE);
    }
    try (SegmentationMethod method = new SegclipProvider().open(
        new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), 0L))) {
      Map<String, String> s = settings("init", first.checkpoint().toString());
      TrainResult again = method.train(new TrainSpec(dir.resolve("b"), 0, 1L, s), Tiny.source(6, 32, 32),
          new AdamTestEngine(1e-3), TrainListener.NONE);
      try (NDManager m = NDManager.newBaseManager()) {
        SegclipModel a = SegclipWeights.load(first.checkpoint(), m, SegclipWeights.Heads.DEFAULT);
        SegclipModel b = SegclipWeights.load(again.checkpoint(), m, SegclipWeights.Heads.DEFAULT);
        assertThat(b.config()).isEqualTo(a.config());
        for (String name : a.parameters().keySet()) {
          assertIdentical(b.parameters().get(name).toFloatArray(), a.parameters().get(name).toFloatArray(), name);
        }
      }
    }
  }

  @Test
  void trainingWithoutWeightsSaysSegclipStartsFromClip() {
    try (SegmentationMethod method = new SegclipProvider().open(
        new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), 0L))) {
      assertThatThrownBy(() -> method.train(new TrainSpec(dir.resolve("x"), 1, 0L, settings()), Tiny.source(6, 32, 32),
          new AdamTestEngine(1e-3), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("segclip trains from CLIP weights")
          .hasMessageContaining("init=");
      assertThatThrownBy(method::inputSpec).isInstanceOf(InvalidInputException.class).hasMessageContaining("without weights");
    }
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("batchsize", "4")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("batchsize").hasMessageContaining("batch-size");
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("mask-ratio", "1.5")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("mask-ratio");
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("superpixel-kl-norm", "mean")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("code, paper");
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("crop-scale-min", "0.9", "crop-scale-max", "0.6")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("crop-scale-min");
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("centers", "2.5")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("centers");
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("loss-weight-contrastive", "0",
        "loss-weight-reconstruction", "0", "loss-weight-superpixel", "0")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("nothing to train");
    SegclipTrainSettings s = SegclipTrainSettings.of(Map.of("lr", "4e-3", "warmup-steps", "10"));
    assertThat(s.batchSize()).isEqualTo(32);
    assertThat(s.maskRatio()).isEqualTo(0.75);
    assertThat(s.superpixelParameters(224)).containsExactly(224, 0.9, 224);
    assertThat(s.superpixelParameters(112)).containsExactly(56, 0.45, 56);
  }

  @Test
  void patchifyOrdersPixelsByRowColumnChannel() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] v = new float[2 * 3 * 4 * 4];
      for (int i = 0; i < v.length; i++) {
        v[i] = i;
      }
      NDArray images = m.create(v, new ai.djl.ndarray.types.Shape(2, 3, 4, 4));
      NDArray p = SegclipTraining.patchify(images, 2); // [2, 4, 12]
      assertThat(p.getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(2, 4, 12));
      // image 1, patch (0, 1), pixel (1, 0), channel 2
      int expected = 48 + 2 * 16 + 1 * 4 + 2;
      assertThat(p.get(1, 1, (1 * 2 + 0) * 3 + 2).getFloat()).isEqualTo(expected);
    }
  }

  private static double loss(SegclipTraining t, NDManager m, int step) {
    try (NDManager scope = m.newSubManager()) {
      return t.loss(scope, step, 5L).getFloat();
    }
  }

  /** Bitwise-equal arrays (AssertJ's containsExactly is quadratic on a mismatch of millions of values). */
  static void assertIdentical(float[] got, float[] want, String what) {
    int i = java.util.Arrays.mismatch(got, want);
    assertThat(i).as(what + ": first differing index" + (i >= 0 && i < Math.min(got.length, want.length)
        ? " (" + got[i] + " vs " + want[i] + ")" : "") + " of " + got.length + " vs " + want.length).isEqualTo(-1);
  }
}

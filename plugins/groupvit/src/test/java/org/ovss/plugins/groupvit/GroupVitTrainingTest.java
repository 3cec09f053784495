package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;

class GroupVitTrainingTest {
  @TempDir Path tempDir;

  @Test
  void aFewStepsLowerTheLossAndExportALoadableCheckpoint() {
    TinyGroupVit.AdamEngine engine = new TinyGroupVit.AdamEngine(2e-3f);
    GroupVitProvider provider = new GroupVitProvider();
    Path out = tempDir.resolve("trained");
    TrainResult result;
    double before;
    double after;
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(8));
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(TinyGroupVit.coloured(), settings, 3L, 20, m);
      before = lossOf(training, m, 0);
      long t0 = System.nanoTime();
      result = engine.fit(training, new TrainSpec(out, 20, 3L, Map.of()), TrainListener.NONE);
      System.out.printf("groupvit tiny training: %.2f s%n", (System.nanoTime() - t0) / 1e9);
      NDArray runningVar = training.model().get("img_projector.linear_hidden.1.running_var");
      assertThat(runningVar.toFloatArray()[0]).as("BatchNorm running variance moved by training").isNotEqualTo(1f);

      // save/load round trip: every tensor, the config and the batch counter come back
      try (NDManager load = NDManager.newBaseManager()) {
        GroupVitModel loaded = GroupVitCheckpoint.load(result.checkpoint(),
            GroupVitCheckpoint.config(result.checkpoint(), Optional.empty()), load);
        assertThat(loaded.config()).isEqualTo(training.model().config());
        assertThat(loaded.numBatchesTracked()).isEqualTo(20);
        for (Map.Entry<String, NDArray> e : training.model().state().entrySet()) {
          assertThat(loaded.get(e.getKey()).toFloatArray()).as(e.getKey()).containsExactly(e.getValue().toFloatArray());
        }
      }
      after = lossOf(training, m, 0);
      System.out.printf("groupvit tiny training: loss of step 0 %.4f before, %.4f after 20 steps%n", before, after);
      assertThat(after).as("loss of the same batch after training").isLessThan(before * 0.8);
    }
    assertThat(result.checkpoint()).isEqualTo(out.resolve(GroupVitCheckpoint.WEIGHTS_FILE));
    assertThat(out.resolve("vocab.json")).exists();
    assertThat(out.resolve("merges.txt")).exists();
    assertThat(out.resolve(GroupVitConfig.FILE_NAME)).exists();

    // the trained checkpoint opens on its own (config and tokenizer beside it) and segments
    try (SegmentationMethod method = provider.open(MethodConfig.of(result.checkpoint(), null));
        NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(List.of(ClassPrompt.of("red"), ClassPrompt.of("blue")),
          PromptSet.named("a-photo-of"));
      float[] pixels = TinyGroupVit.coloured().image(0);
      float[] normalized = new float[pixels.length];
      GroupVitTraining.normalize(pixels, normalized, 0, 32, false);
      NDArray logits = method.segment(m.create(normalized, new ai.djl.ndarray.types.Shape(1, 3, 32, 32)), q);
      assertThat(logits.getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(1, 2, 32, 32));
      NDArray withBg = ((GroupVitMethod) method).segmentWithBackground(
          m.create(normalized, new ai.djl.ndarray.types.Shape(1, 3, 32, 32)), q, 0.95f);
      assertThat(withBg.getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
      assertThat(withBg.get(":, 1:").toFloatArray()).containsExactly(logits.toFloatArray());
    }
  }

  @Test
  void theLossDependsOnlyOnSeedAndStep() {
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(4));
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(TinyGroupVit.coloured(), settings, 1L, 1, m);
      double first = lossOf(training, m, 5);
      // the call moved the BatchNorm running statistics, which a training-mode loss does not read
      assertThat(lossOf(training, m, 5)).isEqualTo(first);
      assertThat(lossOf(training, m, 6)).isNotEqualTo(first);
    }
  }

  @Test
  void aBatchNeverHoldsOnePairTwice() {
    ImageTextSource pairs = TinyGroupVit.coloured();
    List<Integer> read = new ArrayList<>();
    ImageTextSource recording = new ImageTextSource() {
      @Override
      public int size() {
        return pairs.size();
      }

      @Override
      public float[] image(int index) {
        read.add(index);
        return pairs.image(index);
      }

      @Override
      public int imageHeight(int index) {
        return pairs.imageHeight(index);
      }

      @Override
      public int imageWidth(int index) {
        return pairs.imageWidth(index);
      }

      @Override
      public List<String> captions(int index) {
        return pairs.captions(index);
      }
    };
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(pairs.size()));
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(recording, settings, 1L, 1, m);
      for (int step = 0; step < 3; step++) {
        read.clear();
        lossOf(training, m, step);
        // A batch as large as the data: each pair exactly once, as one shuffled epoch of the official loader.
        assertThat(read).as("step %d", step).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
      }
    }
  }

  @Test
  void zeroStepsExportTheSeededInitialisation() {
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(4));
    float[][] exported = new float[2][];
    for (int run = 0; run < 2; run++) {
      Path out = tempDir.resolve("init" + run);
      try (SegmentationMethod method = new GroupVitProvider().open(new MethodConfig(Optional.empty(), Optional.empty(),
          Map.of(), 0L))) {
        TrainResult r = method.train(new TrainSpec(out, 0, 42L, TinyGroupVit.settings(4)), TinyGroupVit.coloured(),
            new TinyGroupVit.AdamEngine(1e-3f), TrainListener.NONE);
        try (NDManager m = NDManager.newBaseManager()) {
          GroupVitModel model = GroupVitCheckpoint.load(r.checkpoint(), settings.architecture()
              .withVocabSize(GroupVitCheckpoint.config(r.checkpoint(), Optional.empty()).vocabSize()), m);
          exported[run] = model.get("img_encoder.layers.0.group_token").toFloatArray();
          assertThat(model.get("logit_scale").getFloat()).isCloseTo((float) Math.log(1 / 0.07), org.assertj.core.data.Offset.offset(1e-6f));
        }
      }
    }
    assertThat(exported[1]).containsExactly(exported[0]);
  }

  @Test
  void nounPromptsFillUpWithTheCaption() {
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(4));
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(TinyGroupVit.coloured(), settings, 1L, 1, m);
      List<String> texts = training.texts("a red star on the beach", new Random(0));
      assertThat(texts).hasSize(3);
      assertThat(texts.get(0)).isEqualTo("a red star on the beach");
      assertThat(texts.subList(1, 3)).allMatch(t -> t.contains("star") || t.contains("beach"));
      assertThat(texts.subList(1, 3)).anyMatch(t -> t.contains("star")).anyMatch(t -> t.contains("beach"));
      assertThat(training.texts("a photo", new Random(0))).containsExactly("a photo", "a photo", "a photo");
    }
  }

  @Test
  void invalidSettingsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("batch-size", "many")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("batch-size");
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("arch.depths", "2,x")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("arch.depths");
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("arch.width", "100", "arch.heads", "3")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("num_heads");
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("noun-templates", "no-such-set")))
        .isInstanceOf(org.ovss.api.OvssException.class).hasMessageContaining("no-such-set");
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("arch.hard-assignment", "maybe")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("arch.hard-assignment");
  }

  @Test
  void unknownSettingsAreRefusedNamingTheKeyWhileEngineSettingsPass() {
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("batch-size", "4", "bach-size", "8")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown groupvit training setting(s) [bach-size]")
        .hasMessageContaining("multi-label-weight");
    assertThat(GroupVitTraining.Settings.from(Map.of("lr", "1e-3", "warmup-steps", "5")).batchSize()).isEqualTo(32);
  }

  @Test
  void theOfficialPresetGivesTheOfficialOptimiserScaledToTheBatchUnderExplicitSettings() {
    Map<String, String> config = Map.of("preset", "official", "batch-size", "64", "eps", "1e-7");
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(config);
    Map<String, String> engine = settings.engineSpec(new TrainSpec(tempDir, 300, 1L, config)).config();
    // 1.6e-3, 4e-6 and 4e-5 at batch 4096, linearly scaled to 64: x 1/64
    assertThat(Double.parseDouble(engine.get("lr"))).isCloseTo(2.5e-5, org.assertj.core.data.Offset.offset(1e-18));
    assertThat(Double.parseDouble(engine.get("warmup-start-lr"))).isCloseTo(6.25e-8, org.assertj.core.data.Offset.offset(1e-20));
    assertThat(Double.parseDouble(engine.get("min-lr"))).isCloseTo(6.25e-7, org.assertj.core.data.Offset.offset(1e-19));
    assertThat(engine).containsEntry("warmup-steps", "20") // 2 of 30 epochs
        .containsEntry("schedule", "timm-cosine").containsEntry("beta2", "0.999").containsEntry("weight-decay", "0.05")
        .containsEntry("clip-norm", "5.0")
        .containsEntry("eps", "1e-7") // given explicitly: kept
        .containsEntry("batch-size", "64");
    Map<String, String> small = Map.of("batch-size", "64");
    assertThat(GroupVitTraining.Settings.from(small).engineSpec(new TrainSpec(tempDir, 300, 1L, small)).config())
        .isEqualTo(small);
    assertThatThrownBy(() -> GroupVitTraining.Settings.from(Map.of("preset", "paper")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("preset").hasMessageContaining("official");
  }

  @Test
  void theWeightDecayRuleIsTheOfficialOne() {
    assertThat(GroupVitTraining.officialDecay("logit_scale", new ai.djl.ndarray.types.Shape())).isTrue();
    assertThat(GroupVitTraining.officialDecay("img_encoder.pos_embed", new ai.djl.ndarray.types.Shape(1, 4, 8))).isTrue();
    assertThat(GroupVitTraining.officialDecay("img_encoder.norm.weight", new ai.djl.ndarray.types.Shape(8))).isFalse();
    assertThat(GroupVitTraining.officialDecay("x.bias", new ai.djl.ndarray.types.Shape(2, 2))).isFalse();
  }

  private static double lossOf(GroupVitTraining training, NDManager m, int step) {
    try (NDManager scope = m.newSubManager()) {
      return training.loss(scope, step, 7L).getFloat();
    }
  }
}

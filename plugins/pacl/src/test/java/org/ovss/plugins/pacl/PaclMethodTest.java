package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.testkit.AdamTestEngine;

/** Export and reopening, the inference options, the background scores and the failure messages. */
class PaclMethodTest {
  @TempDir Path dir;

  private static final List<ClassPrompt> CLASSES =
      List.of(ClassPrompt.of("red square"), ClassPrompt.of("green square"), ClassPrompt.of("blue square"));
  private static final PromptSet PROMPTS = PromptSet.named("pacl-7");

  @Test
  void anExportedCheckpointReopensWithTheTrainedEmbedderAndTheSameClip() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclTraining t = PaclTrainingTest.training(dir, m, Tiny.source(8, 32, 32),
          Map.of("batch-size", "4", "patch-temperature", "0.25", "embedder", "nms05"));
      TrainResult r = new AdamTestEngine(1e-2).fit(t, new TrainSpec(dir.resolve("out"), 2, 1L, Map.of()), TrainListener.NONE);
      Path out = dir.resolve("out");
      assertThat(r.checkpoint()).isEqualTo(out.resolve(PaclCheckpoint.WEIGHTS_FILE));
      assertThat(out.resolve(PaclCheckpoint.CONFIG_FILE)).isRegularFile();
      assertThat(out.resolve("vocab.json")).isRegularFile();
      assertThat(out.resolve("merges.txt")).isRegularFile();
      // the tokenizer beside the checkpoint is found without --tokenizer
      MethodConfig open = new MethodConfig(Optional.of(r.checkpoint()), Optional.empty(), Map.of(), 0L);
      try (PaclMethod method = (PaclMethod) new PaclProvider().open(open)) {
        assertThat(method.paclConfig()).isEqualTo(t.config());
        assertThat(method.classLogitScale()).isCloseTo(1 / t.config().temperature(), within(1e-9));
        try (NDManager n = NDManager.newBaseManager()) {
          PaclCheckpoint.Loaded loaded = PaclCheckpoint.load(r.checkpoint(), n, ClipWeights.Heads.DEFAULT);
          for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
            assertThat(loaded.embedder().get(e.getKey()).toFloatArray()).as(e.getKey())
                .containsExactly(e.getValue().toFloatArray());
          }
          // the CLIP part is the CLIP trained on, and clip-core reads it as plain CLIP weights
          ClipModel clip = ClipWeights.load(r.checkpoint(), n, ClipWeights.Heads.DEFAULT);
          assertThat(clip.config()).isEqualTo(t.clip().config());
          for (String name : List.of("visual.conv1.weight", "visual.proj", "text_projection", "logit_scale")) {
            assertThat(Arrays.equals(clip.stateDict().get(name).parameter().getArray().toFloatArray(),
                t.clip().stateDict().get(name).parameter().getArray().toFloatArray())).as(name).isTrue();
          }
        }
        QueryEmbeddings q = method.encodeText(CLASSES, PROMPTS);
        try (NDManager n = NDManager.newBaseManager()) {
          NDArray windows = n.randomNormal(new Shape(1, 3, 32, 32));
          NDArray logits = method.segment(windows, q);
          assertThat(logits.getShape()).isEqualTo(new Shape(1, 3, 8, 8));
          // cosines
          assertThat(logits.abs().max().getFloat()).isLessThanOrEqualTo(1.0001f);
        }
      }
    }
  }

  @Test
  void strideOptionAndBackgroundScores() throws Exception {
    Path checkpoint = Tiny.pacl();
    String json = Files.readString(checkpoint.resolveSibling(PaclCheckpoint.CONFIG_FILE));
    assertThat(json).contains("\"pacl.embedder\" : \"paper\"").contains("\"format\" : \"ovss-pacl\"");
    try (SegmentationMethod method = new PaclProvider().open(Tiny.config(checkpoint, "stride", "2"));
        NDManager m = NDManager.newBaseManager()) {
      assertThat(method.inputSpec().patchSize()).isEqualTo(2);
      QueryEmbeddings q = method.encodeText(CLASSES, PROMPTS);
      NDArray windows = m.randomNormal(new Shape(2, 3, 32, 32));
      assertThat(method.segment(windows, q).getShape()).isEqualTo(new Shape(2, 3, 16, 16));
      assertThat(method.encodeImage(windows).getShape()).isEqualTo(new Shape(2, 32, 16, 16));
      PaclMethod pacl = (PaclMethod) method;
      NDArray scores = pacl.segmentWithBackground(windows, q, 1.5);
      assertThat(scores.getShape()).isEqualTo(new Shape(2, 4, 32, 32)); // window resolution
      // threshold 0: every pixel whose distribution is not one-hot is background
      assertThat(scores.argMax(1).eq(0).all().getBoolean()).isFalse();
      assertThat(pacl.segmentWithBackground(windows, q, 0).argMax(1).eq(0).all().getBoolean()).isTrue();
      // a threshold above ln 3, the most a 3-class entropy can be: never background
      assertThat(pacl.segmentWithBackground(windows, q, 1.1).argMax(1).eq(0).any().getBoolean()).isFalse();
      assertThatThrownBy(() -> pacl.segmentWithBackground(windows, q, -1)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("entropy");
    }
    try (SegmentationMethod method = new PaclProvider().open(Tiny.config(checkpoint, "stride", "native"))) {
      assertThat(method.inputSpec().patchSize()).isEqualTo(8);
    }
    try (SegmentationMethod method = new PaclProvider().open(Tiny.config(checkpoint, "class-logit-scale", "50"))) {
      assertThat(((PaclMethod) method).classLogitScale()).isEqualTo(50.0);
      assertThat(method.inputSpec().patchSize()).isEqualTo(PaclMethod.DEFAULT_STRIDE);
    }
    assertThatThrownBy(() -> new PaclProvider().open(Tiny.config(checkpoint, "stride", "9")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("patch size 8");
    assertThatThrownBy(() -> new PaclProvider().open(Tiny.config(checkpoint, "strides", "2")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("[strides]").hasMessageContaining("stride");
    // continuing training keeps the checkpoint's configuration
    try (SegmentationMethod method = new PaclProvider().open(Tiny.config(checkpoint))) {
      assertThatThrownBy(() -> method.train(new TrainSpec(dir.resolve("more"), 1, 0L, Map.of("embedder", "nms05")),
          Tiny.source(4, 32, 32), new AdamTestEngine(1e-3), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("[embedder]");
      TrainResult more = method.train(new TrainSpec(dir.resolve("more"), 1, 0L, Map.of("batch-size", "4")),
          Tiny.source(4, 32, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
      assertThat(more.finalLoss()).isFinite();
    }
  }

  @Test
  void plainClipWeightsOnlyTrainAndNoWeightsCannotTrain() {
    Path clip = Tiny.clip(dir, 6L);
    try (SegmentationMethod method = new PaclProvider().open(Tiny.config(clip));
        NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(CLASSES, PROMPTS);
      assertThatThrownBy(() -> method.segment(m.zeros(new Shape(1, 3, 32, 32)), q))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("plain CLIP weights")
          .hasMessageContaining("ovss train --method pacl");
    }
    try (SegmentationMethod method = new PaclProvider().open(new MethodConfig(Optional.empty(), Optional.empty(),
        Map.of(), 0L))) {
      assertThatThrownBy(() -> method.train(new TrainSpec(dir.resolve("x"), 0, 0L, Map.of()), Tiny.source(4, 32, 32),
          new AdamTestEngine(1e-3), TrainListener.NONE))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("frozen CLIP");
    }
    assertThat(new PaclProvider().info().trainsFrom()).contains("clip");
  }
}

package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Capability;
import org.ovss.api.ClassPrompt;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InputSpec;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.runner.train.DjlTrainingEngine;

/**
 * TRAIN through the harness's own training engine (what {@code ovss train} runs) on {@link ToyCaptions}: the loss
 * goes down, the exported checkpoint opens again and segments, and a run stopped after a checkpoint and restarted
 * ends with the same checkpoint file, byte for byte, as a run never interrupted. A plugin's test extends this class
 * and says how to open the method for training and which settings make it tiny.
 */
public abstract class TrainingConformanceTest {

  @TempDir protected Path tempDir;

  /** The provider under test. */
  protected abstract MethodProvider provider();

  /** A configuration that opens the method to train (the backbone it trains from, or none to train from scratch). */
  protected abstract MethodConfig trainConfig(Path tempDir);

  /** Training settings that make the model tiny (batch size, architecture); engine settings may be added. */
  protected Map<String, String> settings() {
    return Map.of();
  }

  /** The image-caption pairs trained on. */
  protected ImageTextSource data() {
    return ToyCaptions.source(12, 32, 32);
  }

  /** Steps of the loss check. */
  protected int steps() {
    return 30;
  }

  /** The configuration that opens the exported checkpoint: the training one with the checkpoint as weights. */
  protected MethodConfig reopen(MethodConfig trained, Path checkpoint) {
    return new MethodConfig(Optional.of(checkpoint), trained.tokenizer(), trained.options(), trained.seed());
  }

  private TrainResult train(MethodConfig config, Path out, int steps, Map<String, String> extra, TrainListener listener) {
    Map<String, String> s = new HashMap<>(settings());
    s.putAll(extra);
    try (SegmentationMethod m = provider().open(config)) {
      return m.train(new TrainSpec(out, steps, 3L, s), data(), new DjlTrainingEngine(), listener);
    }
  }

  @Test
  void theLossGoesDownOnTheToyCaptions() {
    List<Double> losses = new ArrayList<>();
    train(trainConfig(tempDir), tempDir.resolve("run"), steps(), Map.of(), (step, total, loss, lr) -> losses.add(loss));
    assertThat(losses).hasSize(steps()).allSatisfy(l -> assertThat(l).isFinite());
    int k = Math.max(1, steps() / 6);
    double first = losses.subList(0, k).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(steps() - k, steps()).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last %d steps against the first %d: %s", k, k, losses).isLessThan(first);
  }

  @Test
  void theCheckpointOpensAgainAndSegments() {
    MethodConfig config = trainConfig(tempDir);
    TrainResult r = train(config, tempDir.resolve("run"), 2, Map.of(), TrainListener.NONE);
    assertThat(r.steps()).isEqualTo(2);
    assertThat(r.checkpoint()).isRegularFile();
    try (SegmentationMethod m = provider().open(reopen(config, r.checkpoint()));
         NDManager manager = NDManager.newBaseManager()) {
      assertThat(m.info().id()).isEqualTo(provider().id());
      if (!m.info().has(Capability.SEGMENT)) {
        return;
      }
      InputSpec spec = m.inputSpec();
      QueryEmbeddings q = m.encodeText(List.of(ClassPrompt.of("red"), ClassPrompt.of("blue")),
          new PromptSet("test", List.of("a {} square.")));
      int side = spec.resolution() / spec.patchSize() * spec.patchSize();
      NDArray logits = m.segment(manager.zeros(new Shape(1, 3, side, side)), q);
      assertThat(logits.getShape()).isEqualTo(new Shape(1, 2, side / spec.patchSize(), side / spec.patchSize()));
      for (float v : logits.toFloatArray()) {
        assertThat(v).isFinite();
      }
    }
  }

  @Test
  void aRunRestartedAfterACheckpointEndsAsAnUninterruptedOne() throws IOException {
    Map<String, String> every2 = Map.of("checkpoint-every", "2");
    TrainResult uninterrupted = train(trainConfig(tempDir), tempDir.resolve("a"), 5, every2, TrainListener.NONE);
    Path b = tempDir.resolve("b");
    TrainListener crashAt3 = (step, total, loss, lr) -> {
      if (step == 3) {
        throw new IllegalStateException("simulated crash");
      }
    };
    assertThatThrownBy(() -> train(trainConfig(tempDir), b, 5, every2, crashAt3)).hasMessage("simulated crash");
    List<Integer> reported = new ArrayList<>();
    TrainResult resumed = train(trainConfig(tempDir), b, 5, every2, (step, total, loss, lr) -> reported.add(step));
    assertThat(reported).as("steps after the checkpoint at step 2").containsExactly(3, 4, 5);
    assertThat(resumed.finalLoss()).isEqualTo(uninterrupted.finalLoss());
    assertThat(Files.mismatch(uninterrupted.checkpoint(), resumed.checkpoint())).as("first differing byte of the checkpoints")
        .isEqualTo(-1L);
  }
}

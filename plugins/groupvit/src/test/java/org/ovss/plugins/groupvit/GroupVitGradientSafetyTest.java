package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainSpec;
import org.ovss.nn.Scalars;

/**
 * GroupViT's gradients do not depend on when the JVM collects garbage. DJL's scalar overloads ({@code
 * mul(Number)}, ...) hand PyTorch a constant over a Java direct buffer that is freed while autograd still holds it;
 * the training code uses clip-core's {@link Scalars} instead (plugin-testkit's {@code ScalarOverloadScanTest}
 * keeps every plugin off the overloads).
 */
class GroupVitGradientSafetyTest {
  @TempDir Path tempDir;

  @Test
  void trainingWithACollectionBeforeEveryBackwardEndsWithTheSameWeights() {
    Map<String, float[]> plain = train(false);
    Map<String, float[]> collected = train(true);
    assertThat(collected.keySet()).containsExactlyElementsOf(plain.keySet());
    for (Map.Entry<String, float[]> e : plain.entrySet()) {
      float[] got = collected.get(e.getKey());
      int i = java.util.Arrays.mismatch(got, e.getValue());
      assertThat(i).as(e.getKey() + ": first index that differs" + (i >= 0 ? " (" + got[i] + " vs " + e.getValue()[i] + ")"
          : "")).isEqualTo(-1);
    }
  }

  /**
   * The hazard itself: d(sum(3 x))/dx is 3 everywhere. Through {@code x.mul(3f)} with a collection between forward
   * and backward, the backward multiplies by whatever the freed buffer then holds; through {@link Scalars#mul} it is
   * exactly 3. (A collection frees the buffer only once it is unreachable, so the old path is tried a few times.)
   */
  @Test
  void theOverloadsGradientGoesWrongAfterACollectionAndScalarsDoesNot() {
    for (int trial = 0; trial < 3; trial++) {
      assertThat(gradientAfterCollection(x -> Scalars.mul(x, 3f))).as("Scalars.mul, trial " + trial).containsOnly(3f);
    }
    boolean corrupted = false;
    for (int trial = 0; trial < 10 && !corrupted; trial++) {
      float[] g = gradientAfterCollection(x -> x.mul(3f));
      corrupted = g[0] != 3f;
    }
    assertThat(corrupted).as("NDArray.mul(Number)'s gradient after a collection differs from the hand-computed 3")
        .isTrue();
  }

  private static float[] gradientAfterCollection(UnaryOperator<NDArray> timesThree) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new ai.djl.ndarray.types.Shape(4));
      x.setRequiresGradient(true);
      try (NDManager scope = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = timesThree.apply(x).sum();
        TinyGroupVit.collectGarbage();
        // reuse the freed memory, as any later allocation of the process may
        for (int i = 0; i < 64; i++) {
          scope.create(7.5f);
        }
        gc.backward(loss);
      }
      return x.getGradient().toFloatArray();
    }
  }

  private Map<String, float[]> train(boolean collect) {
    GroupVitTraining.Settings settings = GroupVitTraining.Settings.from(TinyGroupVit.settings(4));
    Map<String, float[]> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitTraining training = GroupVitTraining.fromScratch(TinyGroupVit.coloured(), settings, 5L, 4, m);
      new TinyGroupVit.AdamEngine(2e-3f, collect)
          .fit(training, new TrainSpec(tempDir.resolve(collect ? "gc" : "plain"), 4, 5L, Map.of()), TrainListener.NONE);
      training.model().state().forEach((k, v) -> out.put(k, v.toFloatArray()));
    }
    return out;
  }
}

package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The straight-through hard Gumbel-softmax of the semantic module. */
class GumbelSoftmaxTest {

  private static final float[] LOGITS = {
    // batch 0: 3 centres x 2 patches, axis 1 = centres
    0.1f, 2.0f,
    1.5f, -1.0f,
    0.3f, 0.5f,
    // batch 1
    -2.0f, 0.0f,
    -1.0f, 0.1f,
    3.0f, 0.2f
  };

  @Test
  void evaluationFormIsTheOneHotOfTheArgmaxOverCentres() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 2));
      float[] hard = GumbelSoftmax.hard(logits, null, 0.9f, 1).toFloatArray();
      float[] want = {0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1};
      for (int i = 0; i < want.length; i++) {
        assertThat(hard[i]).as("entry " + i).isCloseTo(want[i], Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void trainingFormPicksTheArgmaxOfNoisyLogitsAndPassesTheSoftGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 2));
      float[] noiseValues = GumbelSoftmax.noise(new Random(3), LOGITS.length);
      NDArray noise = m.create(noiseValues, new Shape(2, 3, 2));
      float tau = 0.9f;
      NDArray weights = m.create(new float[] {1, -2, 3, 0.5f, -1, 2, 0.3f, 1, -0.7f, 2, 1.1f, -3}, new Shape(2, 3, 2));
      logits.setRequiresGradient(true);
      NDArray hard;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        hard = GumbelSoftmax.hard(logits, noise, tau, 1);
        gc.backward(hard.mul(weights).sum());
      }
      float[] straightThrough = logits.getGradient().toFloatArray();
      float[] h = hard.toFloatArray();
      for (int b = 0; b < 2; b++) {
        for (int n = 0; n < 2; n++) {
          int best = 0;
          for (int l = 1; l < 3; l++) {
            int i = (b * 3 + l) * 2 + n;
            int j = (b * 3 + best) * 2 + n;
            if (LOGITS[i] + noiseValues[i] > LOGITS[j] + noiseValues[j]) {
              best = l;
            }
          }
          for (int l = 0; l < 3; l++) {
            assertThat(h[(b * 3 + l) * 2 + n]).isCloseTo(l == best ? 1f : 0f, Offset.offset(1e-6f));
          }
        }
      }
      // the gradient is the soft sample's: d sum(w * softmax((x + g) / tau)) / dx
      NDArray x = m.create(LOGITS, new Shape(2, 3, 2));
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray soft = x.add(noise).div(tau).softmax(1);
        gc.backward(soft.mul(weights).sum());
      }
      float[] reference = x.getGradient().toFloatArray();
      for (int i = 0; i < reference.length; i++) {
        assertThat(straightThrough[i]).as("gradient " + i).isCloseTo(reference[i], Offset.offset(1e-6f));
      }
      assertThat(reference).as("the soft gradient is not trivially zero").isNotEqualTo(new float[reference.length]);
    }
  }

  @Test
  void noiseIsStandardGumbelAndSeeded() {
    float[] g = GumbelSoftmax.noise(new Random(7), 200_000);
    double mean = 0;
    for (float v : g) {
      mean += v;
      assertThat(Float.isFinite(v)).isTrue();
    }
    mean /= g.length;
    assertThat(mean).as("Gumbel(0, 1) mean = Euler's constant").isCloseTo(0.5772, Offset.offset(0.01));
    assertThat(GumbelSoftmax.noise(new Random(7), 5)).containsExactly(java.util.Arrays.copyOf(g, 5));
  }
}

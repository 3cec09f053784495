package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssignmentTest {

  @Test
  void gumbelHardAssignmentIsOneHotForwardAndPassesTheSoftGradientBack() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape shape = new Shape(2, 4, 5); // [B, groups, tokens], softmax over the groups (axis 1)
      float[] values = new float[(int) shape.size()];
      Random r = new Random(5);
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) r.nextGaussian();
      }
      NDArray noise = m.create(Assignment.gumbelNoise(new Random(9), values.length), shape);
      NDArray weights = m.create(values, shape).mul(3f).add(1f); // a loss that weighs every entry differently

      NDArray logits = m.create(values, shape);
      logits.setRequiresGradient(true);
      NDArray hard;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        hard = Assignment.gumbelSoftmax(logits, noise, 1f, true, 1);
        gc.backward(hard.mul(weights).sum());
      }
      float[] y = hard.toFloatArray();
      for (int b = 0; b < 2; b++) {
        for (int t = 0; t < 5; t++) {
          int ones = 0;
          for (int g = 0; g < 4; g++) {
            float v = y[b * 20 + g * 5 + t];
            assertThat(Math.abs(v) < 1e-6 || Math.abs(v - 1) < 1e-6).as("entry is 0 or 1: " + v).isTrue();
            ones += Math.abs(v - 1) < 1e-6 ? 1 : 0;
          }
          assertThat(ones).as("one group per token").isEqualTo(1);
        }
      }
      float[] hardGrad = logits.getGradient().toFloatArray();

      NDArray again = m.create(values, shape);
      again.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(Assignment.gumbelSoftmax(again, noise, 1f, false, 1).mul(weights).sum());
      }
      float[] softGrad = again.getGradient().toFloatArray();
      double norm = 0;
      for (int i = 0; i < hardGrad.length; i++) {
        assertThat(hardGrad[i]).as("straight-through gradient " + i).isCloseTo(softGrad[i], within(1e-5f));
        norm += hardGrad[i] * hardGrad[i];
      }
      assertThat(norm).as("gradient reaches the logits").isGreaterThan(1e-6);
    }
  }

  @Test
  void hardSoftmaxPicksTheArgmaxOfEachColumn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {0, 5, 1, 2, 3, -1}, new Shape(1, 2, 3)); // argmax over axis 1: 1, 0, 0
      assertThat(Assignment.hardSoftmax(logits, 1).toFloatArray()).containsExactly(0, 1, 1, 1, 0, 0);
    }
  }

  @Test
  void gumbelNoiseIsSeededAndStandardGumbel() {
    float[] a = Assignment.gumbelNoise(new Random(1), 20000);
    assertThat(Assignment.gumbelNoise(new Random(1), 20000)).containsExactly(a);
    double mean = 0;
    for (float v : a) {
      mean += v / a.length;
    }
    assertThat(mean).as("mean of Gumbel(0, 1) is the Euler-Mascheroni constant").isCloseTo(0.5772, within(0.03));
  }
}

package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The entropy background rule on hand-made logits. */
class EntropyBackgroundTest {

  /** Channel-wise argmax of scores [1, C, 1, N] at position n. */
  private static int argmax(float[] scores, int channels, int n, int positions) {
    int best = 0;
    for (int c = 1; c < channels; c++) {
      if (scores[c * positions + n] > scores[best * positions + n]) {
        best = c;
      }
    }
    return best;
  }

  @Test
  void confidentPixelsKeepTheirClassUncertainOnesBecomeBackground() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 3 classes at 2 positions: a peaked one (5, 0, 0) and a flat one (0, 0, 0); logit scale 1
      NDArray logits = m.create(new float[] {5, 0, 0, 0, 0, 0}, new Shape(1, 3, 1, 2));
      float[] s = EntropyBackground.scores(logits, new int[] {0, 1, 2}, 3, 1.0, 0.5).toFloatArray(); // [1, 4, 1, 2]
      double p = Math.exp(5) / (Math.exp(5) + 2);
      double q = 1 / (Math.exp(5) + 2);
      double peaked = -(p * Math.log(p) + 2 * q * Math.log(q)); // 0.0799 nats
      double flat = Math.log(3); // 1.0986 nats
      assertThat(s[2]).isCloseTo((float) p, within(1e-6f)); // channel 1 at position 0: the class probability
      assertThat(s[0]).isCloseTo((float) (p + peaked - 0.5), within(1e-5f));
      assertThat(s[1]).isCloseTo((float) (1.0 / 3 + flat - 0.5), within(1e-5f));
      assertThat(argmax(s, 4, 0, 2)).isEqualTo(1); // class 0 of the queries, channel 1
      assertThat(argmax(s, 4, 1, 2)).isEqualTo(0); // background
      // a threshold above ln 3 keeps every pixel; the flat one then goes to the first class
      float[] lenient = EntropyBackground.scores(logits, new int[] {0, 1, 2}, 3, 1.0, 1.2).toFloatArray();
      assertThat(argmax(lenient, 4, 1, 2)).isEqualTo(1);
      // a larger logit scale sharpens the distribution: (1, 0, 0) x 10 has entropy 0.0010 < 0.5, x 1 has 0.98
      NDArray mild = m.create(new float[] {1, 0, 0}, new Shape(1, 3, 1, 1));
      assertThat(argmax(EntropyBackground.scores(mild, new int[] {0, 1, 2}, 3, 1.0, 0.5).toFloatArray(), 4, 0, 1))
          .isEqualTo(0);
      assertThat(argmax(EntropyBackground.scores(mild, new int[] {0, 1, 2}, 3, 10.0, 0.5).toFloatArray(), 4, 0, 1))
          .isEqualTo(1);
    }
  }

  @Test
  void synonymsPoolTheirProbabilityIntoTheirClass() {
    try (NDManager m = NDManager.newBaseManager()) {
      // three equal queries, the first two synonyms of class 0: classes (2/3, 1/3)
      NDArray logits = m.create(new float[] {0, 0, 0}, new Shape(1, 3, 1, 1));
      NDArray probs = logits.softmax(1);
      NDArray classes = EntropyBackground.classProbabilities(probs, new int[] {0, 0, 1}, 2);
      assertThat(classes.toFloatArray()).containsExactly(new float[] {2f / 3, 1f / 3}, within(1e-6f));
      double h = -(2.0 / 3 * Math.log(2.0 / 3) + 1.0 / 3 * Math.log(1.0 / 3)); // 0.6365 nats, not ln 3
      assertThat(EntropyBackground.entropy(classes).getFloat(0, 0, 0)).isCloseTo((float) h, within(1e-6f));
      float[] s = EntropyBackground.scores(logits, new int[] {0, 0, 1}, 2, 1.0, 0.7).toFloatArray();
      assertThat(argmax(s, 4, 0, 1)).isNotEqualTo(0); // 0.6365 < 0.7: foreground
    }
  }

  @Test
  void zeroProbabilitiesAddNothing() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(new float[] {1, 0, 0}, new Shape(1, 3));
      assertThat(EntropyBackground.entropy(p).getFloat(0)).isEqualTo(0f);
    }
  }
}

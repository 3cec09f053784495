package org.ovss.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayersTest {

  @Test
  void linearUsesPyTorchsOutByInWeight() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1f, 2f}, new Shape(1, 2));
      NDArray w = m.create(new float[] {1f, 0f, 3f, -1f, 0.5f, 0.5f}, new Shape(3, 2));
      NDArray b = m.create(new float[] {0f, 1f, -1f});
      assertThat(Layers.linear(x, w, b).toFloatArray()).containsExactly(1f, 2f, 0.5f);
      NamedWeights named = Map.of("fc.weight", w)::get;
      assertThat(Layers.linear(named, "fc", x).toFloatArray()).containsExactly(1f, 1f, 1.5f);
    }
  }

  @Test
  void layerNormUsesItsEpsilon() {
    try (NDManager m = NDManager.newBaseManager()) {
      // [1, 3]: mean 2, variance 1 (biased); with eps e: (x - 2) / sqrt(1 + e)
      NDArray x = m.create(new float[] {1f, 3f}, new Shape(1, 2));
      NDArray one = m.ones(new Shape(2));
      NDArray zero = m.zeros(new Shape(2));
      assertThat(Layers.layerNorm(x, one, zero, 0.25f).toFloatArray())
          .containsExactly(new float[] {(float) (-1 / Math.sqrt(1.25)), (float) (1 / Math.sqrt(1.25))}, within(1e-6f));
    }
  }

  @Test
  void geluAndQuickGeluMatchTheirFormulas() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] xs = {-2f, -0.5f, 0f, 1f, 3f};
      float[] gelu = Layers.gelu(m.create(xs)).toFloatArray();
      float[] quick = Layers.quickGelu(m.create(xs)).toFloatArray();
      for (int i = 0; i < xs.length; i++) {
        double x = xs[i];
        assertThat(gelu[i]).isCloseTo((float) (x * Phi.cdf(x)), within(1e-6f));
        assertThat(quick[i]).isCloseTo((float) (x / (1 + Math.exp(-1.702 * x))), within(1e-6f));
      }
    }
  }

  /** One head, one key: the softmax is 1, so attention returns the out-projected value of the key whatever the query. */
  @Test
  void attentionWithOneKeyReturnsItsProjectedValue() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xq = m.create(new float[] {5f, -3f, 0.5f, 2f}, new Shape(1, 2, 2));
      NDArray xkv = m.create(new float[] {1f, 2f}, new Shape(1, 1, 2));
      NDArray in = m.eye(2).concat(m.eye(2), 0).concat(m.eye(2).mul(m.create(2f)), 0); // q = x, k = x, v = 2x
      NDArray inBias = m.zeros(new Shape(6));
      NDArray out = Layers.attention(xq, xkv, 1, in, inBias, m.eye(2), m.create(new float[] {0f, 1f}), null);
      assertThat(out.toFloatArray()).containsExactly(2f, 5f, 2f, 5f);
    }
  }

  @Test
  void aMissingWeightIsNamed() {
    NamedWeights none = name -> null;
    assertThatThrownBy(() -> none.get("blocks.0.fc1.weight")).hasMessage("no weight named 'blocks.0.fc1.weight'");
  }

  /** The standard normal CDF through erf's Abramowitz-Stegun 7.1.26 (error below 1.5e-7). */
  private static final class Phi {
    static double cdf(double x) {
      double z = Math.abs(x) / Math.sqrt(2);
      double t = 1 / (1 + 0.3275911 * z);
      double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
          * Math.exp(-z * z);
      return 0.5 * (1 + Math.signum(x) * erf);
    }
  }
}

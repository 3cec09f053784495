package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedder's shapes, parameter count, residual structure and both forms' arithmetic. */
class PaclEmbedderTest {

  private static PaclConfig config(PaclConfig.Embedder form, int hidden) {
    return new PaclConfig(form, hidden, 0.1, PaclConfig.Tokens.LN_POST, PaclConfig.Similarity.COSINE,
        PaclConfig.Weighting.SOFTMAX, 0.1, 0.07);
  }

  @Test
  void paperFormOnVitB16HasThePapersParameterCount() {
    Map<String, Shape> shapes = PaclEmbedder.shapes(config(PaclConfig.Embedder.PAPER, 512), 768, 512);
    long count = shapes.values().stream().mapToLong(Shape::size).sum();
    // 768*512 + 512 + 512*512 + 512 + 768*512 + 512: the paper's "1.1M parameters"
    assertThat(count).isEqualTo(1_050_112L);
    assertThat(shapes.keySet()).containsExactly("embedder.main.0.weight", "embedder.main.0.bias",
        "embedder.main.2.weight", "embedder.main.2.bias", "embedder.residual.weight", "embedder.residual.bias");
    assertThat(PaclEmbedder.shapes(config(PaclConfig.Embedder.NMS05, 512), 768, 512).keySet())
        .contains("embedder.norm.weight", "embedder.norm.bias");
  }

  @Test
  void tokenWiseShapeAndSeededInitialisation() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclConfig c = config(PaclConfig.Embedder.PAPER, 5);
      Map<String, NDArray> p = PaclEmbedder.initialize(c, 6, 3, 42L, m);
      NDArray x = m.randomNormal(new Shape(2, 7, 6));
      assertThat(PaclEmbedder.forward(c, p, x, null).getShape()).isEqualTo(new Shape(2, 7, 3));
      Map<String, NDArray> again = PaclEmbedder.initialize(c, 6, 3, 42L, m);
      for (String name : p.keySet()) {
        assertThat(again.get(name).toFloatArray()).containsExactly(p.get(name).toFloatArray());
      }
      // nn.Linear's default bound 1/sqrt(fan_in)
      float bound = (float) (1 / Math.sqrt(6));
      for (float v : p.get("embedder.main.0.weight").toFloatArray()) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void paperFormIsReluMlpPlusLinearResidual() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclConfig c = config(PaclConfig.Embedder.PAPER, 2);
      Map<String, NDArray> p = new LinkedHashMap<>();
      p.put("embedder.main.0.weight", m.create(new float[] {1, -1, 0.5f, 2}, new Shape(2, 2)));
      p.put("embedder.main.0.bias", m.create(new float[] {0, -3}));
      p.put("embedder.main.2.weight", m.create(new float[] {1, 1, 2, -1}, new Shape(2, 2)));
      p.put("embedder.main.2.bias", m.create(new float[] {0.5f, 0}));
      p.put("embedder.residual.weight", m.create(new float[] {3, 0, 0, -1}, new Shape(2, 2)));
      p.put("embedder.residual.bias", m.create(new float[] {0, 1}));
      NDArray x = m.create(new float[] {2, 1}, new Shape(1, 2));
      // hidden = relu((2 - 1, 1 + 2 - 3)) = (1, 0); main = (1 + 0.5, 2); residual = (6, -1 + 1)
      assertThat(PaclEmbedder.forward(c, p, x, null).toFloatArray()).containsExactly(7.5f, 2f);
      // with the main branch silenced (second layer zero) the output is the linear residual alone
      p.put("embedder.main.2.weight", m.zeros(new Shape(2, 2)));
      p.put("embedder.main.2.bias", m.zeros(new Shape(2)));
      assertThat(PaclEmbedder.forward(c, p, x, null).toFloatArray()).containsExactly(6f, 0f);
    }
  }

  @Test
  void nms05FormNormalisesThenAddsLinearAndGeluMlp() {
    try (NDManager m = NDManager.newBaseManager()) {
      PaclConfig c = config(PaclConfig.Embedder.NMS05, 1);
      Map<String, NDArray> p = new LinkedHashMap<>();
      p.put("embedder.norm.weight", m.create(new float[] {1, 1}));
      p.put("embedder.norm.bias", m.create(new float[] {0, 0}));
      p.put("embedder.main.0.weight", m.create(new float[] {1, 0}, new Shape(1, 2)));
      p.put("embedder.main.0.bias", m.create(new float[] {0}));
      p.put("embedder.main.2.weight", m.create(new float[] {1}, new Shape(1, 1)));
      p.put("embedder.main.2.bias", m.create(new float[] {0}));
      p.put("embedder.residual.weight", m.create(new float[] {0, 1}, new Shape(1, 2)));
      p.put("embedder.residual.bias", m.create(new float[] {0}));
      NDArray x = m.create(new float[] {3, 1}, new Shape(1, 2));
      // LayerNorm((3, 1)) = (1, -1) * 1/sqrt(1 + 1e-5); gelu(h0) + h1
      double h = 1 / Math.sqrt(1 + 1e-5);
      double gelu = h / 2 * (1 + erf(h / Math.sqrt(2)));
      assertThat(PaclEmbedder.forward(c, p, x, null).getFloat(0, 0)).isCloseTo((float) (gelu - h), within(1e-5f));
      // an all-zero dropout mask removes everything but the biases
      assertThat(PaclEmbedder.forward(c, p, x, m.zeros(new Shape(1, 2))).getFloat(0, 0)).isEqualTo(0f);
    }
  }

  /** Abramowitz-Stegun 7.1.26 is too coarse; a series suffices for |x| < 1. */
  private static double erf(double x) {
    double sum = 0;
    double term = x;
    for (int n = 0; n < 30; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }
}

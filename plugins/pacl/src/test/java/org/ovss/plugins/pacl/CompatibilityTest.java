package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The compatibility function φ̂ and the loss on tensors small enough to work out by hand: one image of two
 * patches with 2-D embeddings, patch 1 = (2, 0) and patch 2 = (0, 1), and two texts t1 = (1, 0), t2 = (1, 1).
 */
class CompatibilityTest {
  private static final double E = Math.E;

  private static PaclConfig config(PaclConfig.Similarity sim, PaclConfig.Weighting weighting, double patchTemperature) {
    return new PaclConfig(PaclConfig.Embedder.PAPER, 2, 0, PaclConfig.Tokens.LN_POST, sim, weighting, patchTemperature, 1);
  }

  private static float[] pairwise(PaclConfig c) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray patches = m.create(new float[] {2, 0, 0, 1}, new Shape(1, 2, 2));
      NDArray texts = m.create(new float[] {1, 0, 1, 1}, new Shape(2, 2));
      NDArray phi = Compatibility.pairwise(c, patches, texts);
      assertThat(phi.getShape()).isEqualTo(new Shape(1, 2));
      return phi.toFloatArray();
    }
  }

  @Test
  void cosineSoftmaxAtTemperatureOne() {
    float[] phi = pairwise(config(PaclConfig.Similarity.COSINE, PaclConfig.Weighting.SOFTMAX, 1));
    // t1: cosines (1, 0), weights (e, 1)/(e + 1), pooled ∝ (2e, 1): cos with (1, 0) = 2e / sqrt(4e² + 1)
    assertThat(phi[0]).isCloseTo((float) (2 * E / Math.sqrt(4 * E * E + 1)), within(1e-6f));
    // t2: cosines (1/√2, 1/√2), weights (1/2, 1/2), pooled (1, 1/2): cos with (1, 1) = 1.5 / sqrt(2.5)
    assertThat(phi[1]).isCloseTo((float) (1.5 / Math.sqrt(2.5)), within(1e-6f));
  }

  @Test
  void thePatchTemperatureSharpensTheWeights() {
    float[] phi = pairwise(config(PaclConfig.Similarity.COSINE, PaclConfig.Weighting.SOFTMAX, 0.5));
    // t1: logits (2, 0), weights (e², 1)/(e² + 1), pooled ∝ (2e², 1)
    assertThat(phi[0]).isCloseTo((float) (2 * E * E / Math.sqrt(4 * Math.pow(E, 4) + 1)), within(1e-6f));
    assertThat(phi[1]).isCloseTo((float) (1.5 / Math.sqrt(2.5)), within(1e-6f));
  }

  @Test
  void sigmoidWeightsAsNms05() {
    float[] phi = pairwise(config(PaclConfig.Similarity.COSINE, PaclConfig.Weighting.SIGMOID, 1));
    double s1 = 1 / (1 + Math.exp(-1));
    // t1: weights (σ(1), σ(0) = 1/2), pooled (2σ(1), 1/2)
    assertThat(phi[0]).isCloseTo((float) (2 * s1 / Math.sqrt(4 * s1 * s1 + 0.25)), within(1e-6f));
    // t2: both weights σ(1/√2): pooled ∝ (2, 1), the same direction as with equal softmax weights
    assertThat(phi[1]).isCloseTo((float) (3 / Math.sqrt(5) / Math.sqrt(2)), within(1e-6f));
  }

  @Test
  void dotProductSimilarityUsesTheNorms() {
    float[] phi = pairwise(config(PaclConfig.Similarity.DOT, PaclConfig.Weighting.SOFTMAX, 1));
    // t1: dots (2, 0) -> pooled ∝ (2e², 1); t2: dots (2, 1) -> weights (e, 1)/(e + 1), pooled ∝ (2e, 1)
    assertThat(phi[0]).isCloseTo((float) (2 * E * E / Math.sqrt(4 * Math.pow(E, 4) + 1)), within(1e-6f));
    assertThat(phi[1]).isCloseTo((float) ((2 * E + 1) / Math.sqrt(4 * E * E + 1) / Math.sqrt(2)), within(1e-6f));
  }

  @Test
  void ownPairingPoolsWithTheOwnCaptionAndMatchesTheDiagonal() {
    PaclConfig c = config(PaclConfig.Similarity.COSINE, PaclConfig.Weighting.SOFTMAX, 0.3);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray patches = m.create(new float[] {2, 0, 0, 1, 1, 1, -1, 2, 0.5f, 3, 1, -2}, new Shape(2, 3, 2));
      NDArray texts = m.create(new float[] {1, 0.2f, -0.3f, 1}, new Shape(2, 2));
      float[] all = Compatibility.pairwise(c, patches, texts).toFloatArray(); // [2, 2]
      float[] own = Compatibility.ownPairing(c, patches, texts).toFloatArray(); // [2, 2]
      assertThat(own[0]).isCloseTo(all[0], within(1e-6f));
      assertThat(own[3]).isCloseTo(all[3], within(1e-6f));
      // off the diagonal the own pairing compares image 0 pooled for caption 0 with caption 1
      assertThat(own[1]).isNotCloseTo(all[1], within(1e-4f));
    }
  }

  @Test
  void symmetricInfoNce() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray phi = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      // each row and column: -log(e / (e + 1)) = log(1 + 1/e)
      assertThat(Compatibility.infoNce(phi, 1).getFloat()).isCloseTo((float) Math.log(1 + 1 / E), within(1e-6f));
      // temperature 0.5 doubles the logits: log(1 + e^-2)
      assertThat(Compatibility.infoNce(phi, 0.5).getFloat()).isCloseTo((float) Math.log(1 + Math.exp(-2)), within(1e-6f));
      // asymmetric case: rows and columns differ, the loss is their mean
      NDArray a = m.create(new float[] {1, 0.5f, 0, 0}, new Shape(2, 2));
      double rows = (-(1 - Math.log(E + Math.exp(0.5))) - (0 - Math.log(2))) / 2;
      double cols = (-(1 - Math.log(E + 1)) - (0 - Math.log(Math.exp(0.5) + 1))) / 2;
      assertThat(Compatibility.infoNce(a, 1).getFloat()).isCloseTo((float) ((rows + cols) / 2), within(1e-6f));
    }
  }
}

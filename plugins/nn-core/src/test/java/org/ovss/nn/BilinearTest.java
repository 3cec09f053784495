package org.ovss.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BilinearTest {

  @Test
  void upsamplingUsesHalfPixelCentresAndClampsBorders() {
    // 1x2 -> 1x4: source x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1.
    float[] out = Bilinear.planar(new float[] {0f, 8f}, 1, 1, 2, 1, 4);
    assertThat(out).containsExactly(new float[] {0f, 2f, 6f, 8f}, within(1e-6f));
  }

  @Test
  void downsamplingByTwoAveragesPairsWithoutAntialias() {
    // 1x4 -> 1x2: source x = 0.5 and 2.5, i.e. the mean of each pair; antialiasing would widen the kernel.
    float[] out = Bilinear.planar(new float[] {0f, 4f, 8f, 100f}, 1, 1, 4, 1, 2);
    assertThat(out).containsExactly(new float[] {2f, 54f}, within(1e-5f));
  }

  @Test
  void twoDimensionalCase() {
    // 2x2 -> 3x3 with scale 2/3: centre pixel samples (0.5, 0.5) = mean of the four.
    float[] out = Bilinear.planar(new float[] {0f, 10f, 20f, 30f}, 1, 2, 2, 3, 3);
    assertThat(out[4]).isCloseTo(15f, within(1e-5f));
    assertThat(out[0]).isCloseTo(0f, within(1e-6f));
    assertThat(out[8]).isCloseTo(30f, within(1e-6f));
  }

  @Test
  void anEmptyOutputSizeIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bilinear.planar(new float[4], 1, 2, 2, 0, 3))
        .hasMessage("output size 0x3 is empty");
  }

  @Test
  void torchWeightsFollowPyTorchHalfPixelRules() {
    // F.interpolate(size=4, bilinear, align_corners=False) of [0, 1]: 0, 0.25, 0.75, 1
    float[] w = Bilinear.torchWeights(2, 4);
    float[] second = new float[4];
    for (int o = 0; o < 4; o++) {
      second[o] = w[o * 2 + 1];
    }
    assertThat(second).containsExactly(0f, 0.25f, 0.75f, 1f);
  }

  @Test
  void alignedCornersMapEndToEnd() {
    // align_corners True, 3 -> 5: source o * 2 / 4 = 0, 0.5, 1, 1.5, 2
    float[] w = Bilinear.weights(3, 5, true);
    assertThat(w).containsExactly(1f, 0f, 0f, 0.5f, 0.5f, 0f, 0f, 1f, 0f, 0f, 0.5f, 0.5f, 0f, 0f, 1f);
  }

  /**
   * The two arithmetics differ only by the float rounding of the source coordinate (a few ulps of a coordinate below
   * 64): every weight agrees within 1e-5, and every row sums to 1 in both.
   */
  @Test
  void doubleAndFloatCoordinatesAgreeToTheirRounding() {
    for (int in = 1; in <= 64; in++) {
      for (int out = 1; out <= 64; out++) {
        float[] a = Bilinear.weights(in, out, false);
        float[] b = Bilinear.torchWeights(in, out);
        for (int i = 0; i < a.length; i++) {
          assertThat(b[i]).as(in + " -> " + out + " at " + i).isCloseTo(a[i], within(1e-5f));
        }
        for (int o = 0; o < out; o++) {
          float sa = 0f;
          float sb = 0f;
          for (int i = 0; i < in; i++) {
            sa += a[o * in + i];
            sb += b[o * in + i];
          }
          assertThat(sa).isCloseTo(1f, within(1e-6f));
          assertThat(sb).isCloseTo(1f, within(1e-6f));
        }
      }
    }
  }

  @Test
  void arrayResizeIsThePlanarResize() {
    float[] src = new float[2 * 3 * 5];
    for (int i = 0; i < src.length; i++) {
      src[i] = (i * 37 % 11) - 4.5f;
    }
    float[] planar = Bilinear.planar(src, 2, 3, 5, 7, 4);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] matrices = Bilinear.resize(m.create(src, new Shape(2, 3, 5)), 7, 4, false).toFloatArray();
      assertThat(matrices).containsExactly(planar, within(1e-5f));
      NDArray same = m.create(src, new Shape(2, 3, 5));
      assertThat(Bilinear.resize(same, 3, 5, false)).isSameAs(same);
    }
  }
}

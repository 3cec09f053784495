package org.ovss.runner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ResizeTest {

  @Test
  void upsamplingUsesHalfPixelCentresAndClampsBorders() {
    // 1x2 -> 1x4: source x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1.
    float[] out = Resize.bilinear(new float[] {0f, 8f}, 1, 1, 2, 1, 4);
    assertThat(out).containsExactly(new float[] {0f, 2f, 6f, 8f}, within(1e-6f));
  }

  @Test
  void downsamplingByTwoAveragesPairsWithoutAntialias() {
    // 1x4 -> 1x2: source x = 0.5 and 2.5, i.e. the mean of each pair; antialiasing would widen the kernel.
    float[] out = Resize.bilinear(new float[] {0f, 4f, 8f, 100f}, 1, 1, 4, 1, 2);
    assertThat(out).containsExactly(new float[] {2f, 54f}, within(1e-5f));
  }

  @Test
  void twoDimensionalCase() {
    // 2x2 -> 3x3 with scale 2/3: centre pixel samples (0.5, 0.5) = mean of the four.
    float[] src = {0f, 10f, 20f, 30f};
    float[] out = Resize.bilinear(src, 1, 2, 2, 3, 3);
    assertThat(out[4]).isCloseTo(15f, within(1e-5f));
    assertThat(out[0]).isCloseTo(0f, within(1e-6f));
    assertThat(out[8]).isCloseTo(30f, within(1e-6f));
  }

  @Test
  void shortSideSizeKeepsAspectAndPatchMultiples() {
    assertThat(Preprocess.shortSideSize(375, 500, 224, 16)).containsExactly(224, 304);
    assertThat(Preprocess.shortSideSize(500, 375, 32, 8)).containsExactly(40, 32);
  }
}

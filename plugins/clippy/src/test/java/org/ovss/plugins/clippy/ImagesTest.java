package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The resampling kernels against values PyTorch's interpolate gives (align_corners False). */
class ImagesTest {

  @Test
  void bilinearUpsamplingUsesHalfPixelCentres() {
    // F.interpolate(tensor([[[[0., 1.]]]]), size=(1, 4), mode='bilinear') = [0, 0.25, 0.75, 1]
    float[] out = Images.resizeBilinear(new float[] {0, 1}, 1, 1, 2, 1, 4);
    assertThat(out).containsExactly(new float[] {0, 0.25f, 0.75f, 1}, within(1e-6f));
    // downsampling 4 -> 2 without antialias averages the two middle neighbours: [0.5, 2.5]
    float[] down = Images.resizeBilinear(new float[] {0, 1, 2, 3}, 1, 1, 4, 1, 2);
    assertThat(down).containsExactly(new float[] {0.5f, 2.5f}, within(1e-6f));
    // channels are resized independently
    float[] two = Images.resizeBilinear(new float[] {0, 1, 10, 10}, 2, 1, 2, 1, 4);
    assertThat(two).containsExactly(new float[] {0, 0.25f, 0.75f, 1, 10, 10, 10, 10}, within(1e-6f));
  }

  @Test
  void nearestTakesTheFlooredSourceIndex() {
    // 2 x 2 -> 3 x 3: source index floor(o * 2 / 3) = 0, 0, 1
    int[] out = Images.resizeNearest(new int[] {1, 2, 3, 4}, 2, 2, 3, 3);
    assertThat(out).containsExactly(1, 1, 2, 1, 1, 2, 3, 3, 4);
  }
}

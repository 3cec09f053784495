package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nearest-neighbour kernel against the index PyTorch's interpolate(mode='nearest') takes. */
class ImagesTest {

  @Test
  void nearestTakesTheFlooredSourceIndex() {
    // 2 x 2 -> 3 x 3: source index floor(o * 2 / 3) = 0, 0, 1
    int[] out = Images.resizeNearest(new int[] {1, 2, 3, 4}, 2, 2, 3, 3);
    assertThat(out).containsExactly(1, 1, 2, 1, 1, 2, 3, 3, 4);
  }
}

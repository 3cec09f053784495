package org.ovss.clip.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
  @Test
  void drawsDistinctIndicesInRangeReproducibly() {
    for (int seed = 0; seed < 200; seed++) {
      int[] batch = BatchSampler.distinct(new Random(seed), 100, 64);
      assertThat(batch).hasSize(64);
      assertThat(Arrays.stream(batch).distinct().count()).isEqualTo(64);
      assertThat(Arrays.stream(batch).allMatch(i -> i >= 0 && i < 100)).isTrue();
      assertThat(BatchSampler.distinct(new Random(seed), 100, 64)).containsExactly(batch);
    }
    // the whole set is a permutation
    int[] all = BatchSampler.distinct(new Random(1), 10, 10);
    assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void firstDrawFollowsThePartialShuffle() {
    // i = 0 swaps with j = nextInt(size): the first index is the generator's first draw
    assertThat(BatchSampler.distinct(new Random(5), 50, 1)[0]).isEqualTo(new Random(5).nextInt(50));
  }

  @Test
  void moreThanTheSourceIsRefused() {
    assertThatThrownBy(() -> BatchSampler.distinct(new Random(0), 3, 4)).hasMessageContaining("4 distinct pairs out of 3");
  }
}

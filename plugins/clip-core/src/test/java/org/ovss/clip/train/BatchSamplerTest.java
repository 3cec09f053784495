package org.ovss.clip.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;

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

  /** Two 2x3 images, the first with three captions, the second with none. */
  private static final ImageTextSource PAIRS = new ImageTextSource() {
    @Override
    public int size() {
      return 2;
    }

    @Override
    public float[] image(int index) {
      float[] rgb = new float[3 * 2 * 3];
      Arrays.fill(rgb, index + 0.5f);
      return rgb;
    }

    @Override
    public int imageHeight(int index) {
      return 2;
    }

    @Override
    public int imageWidth(int index) {
      return 3;
    }

    @Override
    public List<String> captions(int index) {
      return index == 0 ? List.of("a", "b", "c") : List.of();
    }
  };

  @Test
  void aCaptionIsOneDrawOfTheStepGenerator() {
    for (int step = 0; step < 20; step++) {
      Random expected = BatchSampler.stepRandom(7, step);
      String caption = List.of("a", "b", "c").get(expected.nextInt(3));
      Random random = BatchSampler.stepRandom(7, step);
      assertThat(BatchSampler.caption(random, PAIRS, 0)).isEqualTo(caption);
      assertThat(random.nextLong()).as("the generator is left after one draw").isEqualTo(expected.nextLong());
    }
  }

  @Test
  void anImageWithoutCaptionsIsRefusedByIndex() {
    assertThatThrownBy(() -> BatchSampler.caption(new Random(0), PAIRS, 1))
        .isInstanceOf(InvalidInputException.class).hasMessage("training image 1 has no caption");
  }

  @Test
  void imagesComeWithTheirSizeAndSquareOnesAreChecked() {
    BatchSampler.Image image = BatchSampler.image(PAIRS, 1);
    assertThat(image.height()).isEqualTo(2);
    assertThat(image.width()).isEqualTo(3);
    assertThat(image.rgb()).hasSize(18).containsOnly(1.5f);
    assertThatThrownBy(() -> BatchSampler.squareImage(PAIRS, 0, 2)).isInstanceOf(InvalidInputException.class)
        .hasMessage("training image 0 is 2x3 but the model trains at 2x2 (set arch.image-size)");
  }

  @Test
  void allCaptionsAreListedImageByImage() {
    assertThat(BatchSampler.allCaptions(PAIRS)).containsExactly("a", "b", "c");
  }
}

package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Felzenszwalb-Huttenlocher on hand-built images. */
class FelzenszwalbTest {

  /** A planar RGB image with {@code colour(y, x)}. */
  private interface Painter {
    float[] colour(int y, int x);
  }

  private static float[] image(int h, int w, Painter p) {
    float[] rgb = new float[3 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float[] c = p.colour(y, x);
        for (int ch = 0; ch < 3; ch++) {
          rgb[ch * h * w + y * w + x] = c[ch];
        }
      }
    }
    return rgb;
  }

  private static final float[] RED = {1, 0, 0};
  private static final float[] BLUE = {0, 0, 1};
  private static final float[] GREY = {0.5f, 0.5f, 0.5f};
  private static final float[] WHITE = {1, 1, 1};

  private static int count(int[] labels) {
    return Arrays.stream(labels).max().orElse(-1) + 1;
  }

  @Test
  void twoFlatRegionsGiveTwoSegmentsInRasterOrder() {
    int h = 20;
    int w = 30;
    int[] labels = Felzenszwalb.segment(image(h, w, (y, x) -> x < 12 ? RED : BLUE), h, w, 100, 0, 0);
    assertThat(count(labels)).isEqualTo(2);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        assertThat(labels[y * w + x]).as("pixel " + y + "," + x).isEqualTo(x < 12 ? 0 : 1);
      }
    }
  }

  @Test
  void segclipParametersKeepTwoFlatRegionsOfA224ImageApart() {
    int s = 224;
    // skimage.segmentation.felzenszwalb(img, scale=224, sigma=0.9, min_size=224), SegCLIP's preprocessing;
    // the smoothed straight edge leaves a few one-row segments of exactly min_size pixels between them
    int[] labels = Felzenszwalb.segment(image(s, s, (y, x) -> y < 100 ? GREY : BLUE), s, s, 224, 0.9, 224);
    int[] sizes = new int[count(labels)];
    for (int l : labels) {
      sizes[l]++;
    }
    assertThat(labels[0]).isZero();
    assertThat(labels[50 * s + 7]).isZero();
    assertThat(labels[(s - 1) * s + s - 1]).isNotZero();
    assertThat(labels[150 * s + 100]).isEqualTo(labels[(s - 1) * s + s - 1]);
    assertThat(sizes[0] + sizes[labels[(s - 1) * s]]).isGreaterThan(s * s - 8 * s);
    assertThat(java.util.Arrays.stream(sizes).min().getAsInt()).isGreaterThanOrEqualTo(224);
  }

  @Test
  void smallSegmentsMergeIntoANeighbourBelowMinSize() {
    int h = 20;
    int w = 20;
    float[] rgb = image(h, w, (y, x) -> y >= 5 && y < 8 && x >= 9 && x < 12 ? WHITE : GREY);
    int[] kept = Felzenszwalb.segment(rgb, h, w, 50, 0, 0);
    assertThat(count(kept)).as("a 3x3 square without min_size").isEqualTo(2);
    assertThat(kept[6 * w + 10]).isEqualTo(1);
    assertThat(kept[6 * w + 10 - 2]).isEqualTo(0);
    int[] merged = Felzenszwalb.segment(rgb, h, w, 50, 0, 10);
    assertThat(count(merged)).as("the 9-pixel square with min_size 10").isEqualTo(1);
    int[] stillKept = Felzenszwalb.segment(rgb, h, w, 50, 0, 9);
    assertThat(count(stillKept)).as("min_size 9 keeps the 9-pixel square").isEqualTo(2);
  }

  @Test
  void everySegmentReachesMinSizeOnNoise() {
    int h = 40;
    int w = 50;
    Random random = new Random(1);
    float[] rgb = new float[3 * h * w];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = random.nextFloat();
    }
    int[] labels = Felzenszwalb.segment(rgb, h, w, 224, 0.9, 25);
    int[] sizes = new int[count(labels)];
    for (int l : labels) {
      sizes[l]++;
    }
    assertThat(sizes.length).isGreaterThan(1);
    assertThat(Arrays.stream(sizes).min().getAsInt()).isGreaterThanOrEqualTo(25);
    assertThat(Felzenszwalb.segment(rgb, h, w, 224, 0.9, 25)).as("deterministic").containsExactly(labels);
  }

  @Test
  void largerScaleGivesFewerSegments() {
    int h = 30;
    int w = 30;
    Random random = new Random(2);
    float[] rgb = new float[3 * h * w];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = random.nextFloat();
    }
    int fine = count(Felzenszwalb.segment(rgb, h, w, 50, 0.5, 0));
    int coarse = count(Felzenszwalb.segment(rgb, h, w, 2000, 0.5, 0));
    assertThat(coarse).isLessThan(fine);
  }

  @Test
  void gaussianKeepsConstantsAndReflectsAtTheBorder() {
    double[] flat = new double[6 * 7];
    Arrays.fill(flat, 0.25);
    for (double v : Felzenszwalb.gaussian(flat, 6, 7, 0.9)) {
      assertThat(v).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
    }
    // a one-row step: scipy's reflect mode (d c b a | a b c d) keeps the two ends at their values' mix
    double[] step = {0, 0, 0, 1, 1, 1};
    double[] out = Felzenszwalb.gaussian(step, 1, 6, 0.9);
    assertThat(out[0]).isLessThan(0.01);
    assertThat(out[5]).isGreaterThan(0.99);
    assertThat(out[2] + out[3]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void rejectsAnImageOfTheWrongSize() {
    assertThatThrownBy(() -> Felzenszwalb.segment(new float[10], 2, 2, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[C, 2, 2]");
  }
}

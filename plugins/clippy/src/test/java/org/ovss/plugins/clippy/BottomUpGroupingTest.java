package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ovss.plugins.clippy.BottomUpGrouping.Assignment;
import org.ovss.plugins.clippy.BottomUpGrouping.Options;
import org.ovss.plugins.clippy.BottomUpGrouping.Upsampling;

/** PCA grouping and the Jaccard similarity on hand-made feature maps whose answer is known. */
class BottomUpGroupingTest {

  /** A [d, h, w] feature map whose token at (y, x) is {@code vectors[regions[y * w + x]]}. */
  private static float[] map(int[] regions, float[][] vectors, int h, int w) {
    int d = vectors[0].length;
    float[] f = new float[d * h * w];
    for (int i = 0; i < h * w; i++) {
      for (int c = 0; c < d; c++) {
        f[c * h * w + i] = vectors[regions[i]][c];
      }
    }
    return f;
  }

  private static final float[][] BASIS = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};

  /** Labels 2x the grid: each grid cell becomes 2 x 2 pixels with the cell's label. */
  private static int[] upscale(int[] grid, int h, int w) {
    int[] out = new int[4 * h * w];
    for (int y = 0; y < 2 * h; y++) {
      for (int x = 0; x < 2 * w; x++) {
        out[y * 2 * w + x] = grid[(y / 2) * w + x / 2];
      }
    }
    return out;
  }

  @Test
  void jaccardOfAGroupMapIsComputedPerSegmentAndAveraged() {
    // 2 x 4 pixels. Labels: segment 1 on the left 3 columns of row 0 and 2 of row 1, background 0, one
    // ignored pixel (255). Groups: 0 on the left half, 1 on the right half.
    int[] labels = {
        1, 1, 1, 0,
        1, 1, 255, 0};
    int[] groups = {
        0, 0, 1, 1,
        0, 0, 1, 1};
    // segment 1 (5 px) vs group 0 (4 px): inter 4, union 5 -> 0.8; vs group 1 (3 scored px): inter 1,
    // union 5 + 3 - 1 = 7 -> 1/7. Best 0.8; background is not a segment.
    assertThat(BottomUpGrouping.jaccard(groups, labels, 255, 0)).isCloseTo(0.8, within(1e-12));
    // with every label a segment: background (2 px) best matches group 1 (3 px): inter 2, union 3 -> 2/3
    assertThat(BottomUpGrouping.jaccard(groups, labels, 255, -1)).isCloseTo((0.8 + 2.0 / 3) / 2, within(1e-12));
    // an image of background and ignored pixels only has no segment
    assertThat(BottomUpGrouping.jaccard(new int[] {0, 1}, new int[] {0, 255}, 255, 0)).isNaN();
  }

  @Test
  void twoRegionsAreRecoveredExactly() {
    int h = 4;
    int w = 4;
    int[] regions = {
        0, 0, 0, 0,
        0, 1, 1, 0,
        0, 1, 1, 0,
        0, 0, 0, 0};
    float[] f = map(regions, BASIS, h, w);
    int[] groups = BottomUpGrouping.groups(f, 4, h, w, Options.DEFAULT);
    // the two regions fall into two different groups, each region into one
    assertThat(groups[5]).isEqualTo(groups[6]).isEqualTo(groups[9]).isEqualTo(groups[10]);
    assertThat(groups[0]).isNotEqualTo(groups[5]);
    assertThat(Arrays.stream(regions).map(r -> r == 0 ? groups[0] : groups[5]).toArray()).containsExactly(groups);
    // the object is the minority side of the first component, which the orientation makes group 0
    assertThat(groups[5]).isZero();
    // labels at twice the grid: object label 15 on a background 0 -> Jaccard 1
    int[] labels = upscale(Arrays.stream(regions).map(r -> r == 1 ? 15 : 0).toArray(), h, w);
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, 2 * h, 2 * w, Options.DEFAULT)).isEqualTo(1.0);
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, 2 * h, 2 * w, Options.DEFAULT.withBackground(-1)))
        .isEqualTo(1.0);
  }

  @Test
  void absoluteProximityMergesTheTwoSidesOfAComponent() {
    // left half one feature, right half another: a single component separates them by sign
    int h = 2;
    int w = 4;
    int[] regions = {0, 0, 1, 1, 0, 0, 1, 1};
    float[] f = map(regions, BASIS, h, w);
    int[] labels = {1, 1, 2, 2, 1, 1, 2, 2};
    Options everySegment = Options.DEFAULT.withBackground(-1);
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, h, w, everySegment)).isEqualTo(1.0);
    // bilinear upsampling of the proximities puts the boundary half-way between the cells, where it is
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, upscale(labels, h, w), 2 * h, 2 * w,
        everySegment.withUpsampling(Upsampling.BILINEAR))).isEqualTo(1.0);
    // one group for everything: each half has IoU 4/8
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, h, w, everySegment.withAssignment(Assignment.ABSOLUTE)))
        .isEqualTo(0.5);
    // one component with a variance, one group per component: everything in it as well
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, h, w, everySegment.withAssignment(Assignment.SIGNED)))
        .isEqualTo(0.5);
  }

  @Test
  void threeStripesGetThreeGroups() {
    int h = 6;
    int w = 3;
    int[] regions = new int[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        regions[y * w + x] = y < 1 ? 0 : y < 3 ? 1 : 2; // 1, 2 and 3 rows
      }
    }
    float[] f = map(regions, BASIS, h, w);
    int[] groups = BottomUpGrouping.groups(f, 4, h, w, Options.DEFAULT);
    assertThat(Arrays.stream(groups).distinct().count()).isEqualTo(3);
    int[] labels = Arrays.stream(regions).map(r -> r + 1).toArray();
    assertThat(BottomUpGrouping.jaccard(f, 4, h, w, labels, h, w, Options.DEFAULT)).isEqualTo(1.0);
  }

  /** A noisy [d, h, w] map: one random feature inside the box (label 7), another outside (label 0). */
  private static float[] noisyObject(int d, int h, int w, int y0, int y1, int x0, int x1, int[] labels, long seed) {
    Random random = new Random(seed);
    float[] object = new float[d];
    float[] background = new float[d];
    for (int c = 0; c < d; c++) {
      object[c] = (float) random.nextGaussian();
      background[c] = (float) random.nextGaussian();
    }
    float[] f = new float[d * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean in = y >= y0 && y < y1 && x >= x0 && x < x1;
        labels[y * w + x] = in ? 7 : 0;
        for (int c = 0; c < d; c++) {
          f[c * h * w + y * w + x] = (in ? object[c] : background[c]) + 0.15f * (float) random.nextGaussian();
        }
      }
    }
    return f;
  }

  @Test
  void noisyObjectOnNoisyBackgroundIsFound() {
    // 100 tokens of 48 dimensions: covariance path
    int[] labels = new int[100];
    float[] f = noisyObject(48, 10, 10, 2, 6, 3, 8, labels, 5L);
    assertThat(BottomUpGrouping.jaccard(f, 48, 10, 10, labels, 10, 10, Options.DEFAULT)).isGreaterThan(0.95);
    assertThat(BottomUpGrouping.jaccard(f, 48, 10, 10, labels, 10, 10, Options.DEFAULT.withComponents(8)))
        .isGreaterThan(0.95);
    // 25 tokens of 48 dimensions: Gram-matrix path
    int[] small = new int[25];
    float[] g = noisyObject(48, 5, 5, 1, 4, 1, 4, small, 6L);
    assertThat(BottomUpGrouping.jaccard(g, 48, 5, 5, small, 5, 5, Options.DEFAULT)).isGreaterThan(0.95);
  }

  @Test
  void pcaFindsTheDirectionOfLargestVarianceWithEitherMatrix() {
    // points spread along (1, 1, 0) / sqrt 2 and, uncorrelated with that, a little along z
    double[][] tokens = {{1, 1, 0.1}, {-1, -1, 0.1}, {2, 2, -0.1}, {-2, -2, -0.1}, {3, 3, 0}, {-3, -3, 0}};
    BottomUpGrouping.Pca pca = BottomUpGrouping.pca(tokens, 2, true);
    double r = Math.sqrt(0.5);
    assertThat(Math.abs(pca.components()[0][0])).isCloseTo(r, within(1e-6));
    assertThat(pca.components()[0][1]).isCloseTo(pca.components()[0][0], within(1e-9));
    assertThat(pca.components()[0][2]).isCloseTo(0, within(1e-6));
    // variance along it: the mean of (x sqrt 2)^2 over the six points = 2 (1 + 4 + 9) * 2 / 6
    assertThat(pca.variances()[0]).isCloseTo(2.0 * 28 / 6, within(1e-6));
    assertThat(pca.variances()[1]).isCloseTo(0.04 / 6, within(1e-9));
    // 6 tokens of 10 dimensions: Gram path; the same tokens padded with zero dimensions must give the same
    double[][] wide = new double[tokens.length][10];
    for (int i = 0; i < tokens.length; i++) {
      System.arraycopy(tokens[i], 0, wide[i], 0, 3);
    }
    BottomUpGrouping.Pca viaGram = BottomUpGrouping.pca(wide, 2, true);
    for (int k = 0; k < 2; k++) {
      assertThat(viaGram.variances()[k]).isCloseTo(pca.variances()[k], within(1e-9));
      for (int c = 0; c < 3; c++) {
        assertThat(viaGram.components()[k][c]).isCloseTo(pca.components()[k][c], within(1e-6));
      }
    }
  }

  @Test
  void constantFeaturesFormOneGroup() {
    float[] f = new float[3 * 2 * 2];
    Arrays.fill(f, 0.5f);
    assertThat(BottomUpGrouping.groups(f, 3, 2, 2, Options.DEFAULT)).containsExactly(0, 0, 0, 0);
    assertThat(BottomUpGrouping.jaccard(f, 3, 2, 2, new int[] {1, 1, 0, 0}, 2, 2, Options.DEFAULT)).isEqualTo(0.5);
  }

  @Test
  void meanSkipsImagesWithoutSegments() {
    BottomUpGrouping.Mean mean = new BottomUpGrouping.Mean();
    assertThat(mean.value()).isNaN();
    mean.add(0.5);
    mean.add(Double.NaN);
    mean.add(1.0);
    assertThat(mean.count()).isEqualTo(2);
    assertThat(mean.value()).isEqualTo(0.75);
  }

  @Test
  void badShapesAreRejected() {
    assertThatThrownBy(() -> BottomUpGrouping.groups(new float[5], 2, 2, 2, Options.DEFAULT)).hasMessageContaining("D x h x w");
    assertThatThrownBy(() -> BottomUpGrouping.jaccard(new float[8], 2, 2, 2, new int[3], 2, 2, Options.DEFAULT))
        .hasMessageContaining("labels");
    assertThatThrownBy(() -> Options.DEFAULT.withComponents(0)).hasMessageContaining("at least one");
  }
}

package org.ovss.plugins.simseg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The arithmetic of SimSeg's official evaluation on hand-made inputs. */
class SimsegInferenceTest {

  @Test
  void candidatesAreTheTopClassesAboveMeanPlusOneSigmaOfTheTopScores() {
    float[] scores = {0.9f, 0.85f, 0.2f, 0.1f, 0.15f, 0.05f, 0.12f};
    // top 5: .9 .85 .2 .15 .12; mean .444; unbiased std sqrt(.62372 / 4) = .394880
    double mean = (0.9 + 0.85 + 0.2 + 0.15 + 0.12) / 5;
    double ss = 0;
    for (double v : new double[] {0.9, 0.85, 0.2, 0.15, 0.12}) {
      ss += (v - mean) * (v - mean);
    }
    double expected = mean + Math.sqrt(ss / 4);
    double t = SimsegInference.threshold(scores, 5, 1.0);
    assertThat(t).isCloseTo(expected, within(1e-6)).isCloseTo(0.83888, within(1e-4));
    assertThat(SimsegInference.candidates(scores, t, 5)).containsExactly(0, 1);
    // the official cap of candidates
    assertThat(SimsegInference.candidates(scores, t, 1)).containsExactly(0);
    // a smaller coefficient admits more, in score order, and the loop stops at the first one below
    double loose = SimsegInference.threshold(scores, 5, 0.0);
    assertThat(SimsegInference.candidates(scores, loose, 5)).containsExactly(0, 1);
    assertThat(SimsegInference.candidates(scores, 0.14, 5)).containsExactly(0, 1, 2, 4);
    assertThat(SimsegInference.candidates(scores, 0.14, 3)).containsExactly(0, 1, 2);
  }

  @Test
  void aBestScoreBelowTheThresholdSelectsNothing() {
    // nine equal scores and one low one: mu + sigma lies above the best score
    float[] scores = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    double t = SimsegInference.threshold(scores, 10, 1.0);
    assertThat(t).isGreaterThan(1.0);
    assertThat(SimsegInference.candidates(scores, t, 5)).isEmpty();
  }

  @Test
  void oneScoreHasNoDeviation() {
    assertThat(SimsegInference.threshold(new float[] {0.3f, 0.1f}, 1, 1.0)).isCloseTo(0.3, within(1e-7));
  }

  @Test
  void theTopCountIsHalfTheClassesWithBackgroundOrTheGivenNumber() {
    assertThat(SimsegInference.topCount(0, 20)).isEqualTo(10); // VOC: 21 classes -> 10, the official value
    assertThat(SimsegInference.topCount(0, 59)).isEqualTo(30); // Context: 60 -> 30, the official value
    assertThat(SimsegInference.topCount(10, 80)).isEqualTo(10); // COCO-Object as the official code
    assertThat(SimsegInference.topCount(30, 8)).isEqualTo(8); // capped at the scored classes
    assertThat(SimsegInference.topCount(0, 1)).isEqualTo(1);
  }

  @Test
  void classScoresTakeTheBestSynonym() {
    SimsegInference.ClassScores cs =
        SimsegInference.classScores(new float[] {9, 0.1f, 0.5f, 0.3f, 0.2f}, 1, new int[] {0, 1, 1, 2}, 3);
    assertThat(cs.score()).containsExactly(0.1f, 0.5f, 0.2f);
    assertThat(cs.bestQuery()).containsExactly(0, 1, 3);
  }

  @Test
  void higherScoringMasksCoverLowerOnesAndTheRestIsBackground() {
    // 1 x 4 pixels, queries: 0 = class A (score .6), 1 = class B (score .4), 2 = class C (not a candidate)
    SimsegInference.ClassScores cs = new SimsegInference.ClassScores(new float[] {0.6f, 0.4f, 0.3f}, new int[] {0, 1, 2});
    boolean[] a = {true, true, false, false};
    boolean[] b = {false, true, true, false};
    float[] out = new float[4 * 4];
    // candidates handed in any order: stacking is by score, not by order
    SimsegInference.stack(out, 0, 3, 4, new int[] {1, 0}, cs, new boolean[][] {b, a});
    assertThat(SimsegInference.argmax(out, 4, 4)).containsExactly(1, 1, 2, 0);
    assertThat(java.util.Arrays.copyOfRange(out, 0, 4)).containsOnly(0f);
    assertThat(java.util.Arrays.copyOfRange(out, 12, 16)).containsOnly(SimsegInference.NOT_SELECTED);
    assertThat(java.util.Arrays.copyOfRange(out, 4, 8)).containsExactly(0.6f, 0.6f, -0.6f, -0.6f);
  }

  @Test
  void aCandidateWithoutPositiveScoreIsNeverPainted() {
    SimsegInference.ClassScores cs = new SimsegInference.ClassScores(new float[] {-0.1f}, new int[] {0});
    float[] out = new float[2 * 2];
    SimsegInference.stack(out, 0, 1, 2, new int[] {0}, cs, new boolean[][] {{true, true}});
    assertThat(SimsegInference.argmax(out, 2, 2)).containsExactly(0, 0);
  }

  @Test
  void theClassMapIsUpsampledByNearestNeighbourAndScaledToZeroOne() {
    float[] grid = {0, 2, 4, 6}; // 2 x 2
    float[] up = SimsegInference.nearest(grid, 2, 2, 4, 4);
    assertThat(up).containsExactly(0, 0, 2, 2, 0, 0, 2, 2, 4, 4, 6, 6, 4, 4, 6, 6);
    // a window with a remainder beyond the last whole patch: 5 pixels from 2 cells, floor(x * 2 / 5)
    assertThat(SimsegInference.nearest(new float[] {1, 2}, 1, 2, 1, 5)).containsExactly(1, 1, 1, 2, 2);
    assertThat(SimsegInference.minMax(grid)).containsExactly(0f, 1f / 3, 2f / 3, 1f);
    assertThat(SimsegInference.minMax(new float[] {0.2f, 0.2f})).containsExactly(0f, 0f);
  }

  @Test
  void closingFillsHolesKeepsBordersAndRestoresIsolatedPixels() {
    int h = 9;
    int w = 9;
    boolean[] ring = new boolean[h * w];
    for (int y = 2; y <= 6; y++) {
      for (int x = 2; x <= 6; x++) {
        ring[y * w + x] = !(y == 4 && x == 4);
      }
    }
    boolean[] closed = SimsegInference.closing(ring, h, w, 3);
    assertThat(closed[4 * w + 4]).as("hole filled").isTrue();
    for (int i = 0; i < h * w; i++) {
      int y = i / w;
      int x = i % w;
      assertThat(closed[i]).as("pixel " + y + "," + x).isEqualTo(y >= 2 && y <= 6 && x >= 2 && x <= 6);
    }
    // pixels outside the image neither dilate nor erode (OpenCV's default border): one pixel from the edge, the
    // closing grows the block to the edge
    boolean[] nearEdge = new boolean[h * w];
    for (int y = 1; y <= 3; y++) {
      for (int x = 1; x <= 3; x++) {
        nearEdge[y * w + x] = true;
      }
    }
    boolean[] grown = SimsegInference.closing(nearEdge, h, w, 3);
    assertThat(grown[0]).isTrue();
    assertThat(grown[4 * w + 4]).isFalse();
    boolean[] full = new boolean[h * w];
    java.util.Arrays.fill(full, true);
    assertThat(SimsegInference.closing(full, h, w, 7)).containsOnly(true);
    boolean[] dot = new boolean[h * w];
    dot[0] = true; // in a corner: the border does not erode it away
    assertThat(SimsegInference.closing(dot, h, w, 7)).isEqualTo(dot);
    assertThat(SimsegInference.closing(ring, h, w, 0)).isEqualTo(ring);
  }
}

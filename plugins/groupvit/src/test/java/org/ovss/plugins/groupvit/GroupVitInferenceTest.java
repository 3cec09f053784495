package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ovss.nn.Norms;

/** Properties of the segmentation inference on a two-stage model with patch 16 and a non-square window. */
class GroupVitInferenceTest {
  private static final GroupVitConfig TWO_STAGES = new GroupVitConfig(32, 16, 32, List.of(1, 1), List.of(2, 4),
      List.of(6, 0), List.of(3), true, 2.0, 8, 64, 1, 1, 40, 8, 1, 64, 0.07, 0, false, 1.0);

  @Test
  void attentionMapsAreDistributionsOverGroupsAtEveryPixel() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitModel model = GroupVitInit.random(TWO_STAGES, m, 4L);
      NDArray windows = m.randomNormal(new Shape(2, 3, 48, 80)); // a 3x5 patch grid: interpolated positions
      GroupVitInference.Decoded d = GroupVitInference.decode(model, windows);
      assertThat(d.attentionMaps()).hasSize(1);
      NDArray map = d.attentionMaps().get(0);
      assertThat(map.getShape()).isEqualTo(new Shape(2, 3, 48, 80));
      for (float s : map.sum(new int[] {1}).toFloatArray()) {
        assertThat(s).isCloseTo(1f, within(1e-5f));
      }
      assertThat(d.groupOfPixel().getShape()).isEqualTo(new Shape(2, 48, 80));
      assertThat(d.groupFeatures().getShape()).isEqualTo(new Shape(2, 3, 8));
    }
  }

  @Test
  void backgroundIsAThresholdOnTheBestScoreAndLeavesTheClassScores() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitModel model = GroupVitInit.random(TWO_STAGES, m, 5L);
      NDArray windows = m.randomNormal(new Shape(1, 3, 48, 80));
      NDArray text = Norms.l2Normalize(m.randomNormal(new Shape(7, 8)), Norms.TORCH_NORMALIZE_EPS);
      GroupVitInference.Decoded d = GroupVitInference.decode(model, windows);
      NDArray scores = GroupVitInference.segLogits(model, d, text); // [1, 7, H, W]
      float[] s = scores.toFloatArray();
      for (float v : s) {
        assertThat(v).isBetween(0f, 1f);
      }
      // only the top 5 classes of the image can score
      int scoring = 0;
      float[] perClass = scores.sum(new int[] {0, 2, 3}).toFloatArray();
      for (float v : perClass) {
        scoring += v > 0 ? 1 : 0;
      }
      assertThat(scoring).isLessThanOrEqualTo(GroupVitInference.TOP_CLASSES);
      float threshold = 0.5f;
      NDArray withBg = GroupVitInference.segLogitsWithBackground(model, d, text, threshold);
      assertThat(withBg.get(":, 1:").toFloatArray()).containsExactly(s);
      float[] bg = withBg.get(":, 0").toFloatArray();
      float[] best = scores.max(new int[] {1}).toFloatArray();
      float maxAffinity = GroupVitInference.groupAffinity(model, d, text).max().getFloat();
      float effective = Math.min(threshold, maxAffinity);
      for (int i = 0; i < bg.length; i++) {
        assertThat(bg[i]).isEqualTo(best[i] < effective ? 1f : 0f);
      }
    }
  }

  @Test
  void eachWindowOfABatchGetsWhatItWouldGetAlone() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitModel model = GroupVitInit.random(TWO_STAGES, m, 6L);
      NDArray windows = m.randomNormal(new Shape(3, 3, 32, 32));
      NDArray text = Norms.l2Normalize(m.randomNormal(new Shape(6, 8)), Norms.TORCH_NORMALIZE_EPS);
      NDArray batched = GroupVitInference.segLogits(model, GroupVitInference.decode(model, windows), text);
      for (int i = 0; i < 3; i++) {
        NDArray alone = GroupVitInference.segLogits(model,
            GroupVitInference.decode(model, windows.get(i + ":" + (i + 1))), text);
        float[] a = alone.toFloatArray();
        float[] b = batched.get(i + ":" + (i + 1)).toFloatArray();
        for (int j = 0; j < a.length; j++) {
          assertThat(b[j]).isCloseTo(a[j], within(1e-5f));
        }
      }
    }
  }
}

package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ovss.clip.tokenizer.ClipTokenizer;

class PatchDropoutTest {

  @Test
  void keptCountFollowsOpenClip() {
    assertThat(PatchDropout.keptCount(144, 0.5)).isEqualTo(72);
    assertThat(PatchDropout.keptCount(196, 0.8)).isEqualTo(39); // int(196 * 0.2) = int(39.2)
    assertThat(PatchDropout.keptCount(4, 0.99)).isEqualTo(1); // at least one
    assertThat(PatchDropout.keptCount(10, 0)).isEqualTo(10);
    assertThatThrownBy(() -> PatchDropout.keptCount(10, 1)).hasMessageContaining("[0, 1)");
  }

  @Test
  void samplesTheRequestedCountOfDistinctSortedIndicesDeterministically() {
    int[][] a = PatchDropout.sample(new Random(42), 5, 36, 9);
    int[][] b = PatchDropout.sample(new Random(42), 5, 36, 9);
    assertThat(a).isDeepEqualTo(b);
    for (int[] keep : a) {
      assertThat(keep).hasSize(9);
      assertThat(Arrays.stream(keep).distinct().count()).isEqualTo(9);
      assertThat(keep).isSorted();
      assertThat(Arrays.stream(keep).allMatch(i -> i >= 0 && i < 36)).isTrue();
    }
    // each image draws its own subset
    assertThat(Arrays.stream(a).map(Arrays::toString).distinct().count()).isGreaterThan(1);
    assertThat(PatchDropout.sample(new Random(43), 5, 36, 9)).isNotEqualTo(a);
  }

  @Test
  void theSameStepDrawsTheSameTokensAndAnotherStepOthers() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyTraining t = ClippyTraining.fromScratch(Tiny.source(36, 32, 32), ClippyTrainSettings.of(Tiny.settings()), 1L, m);
      ClippyTraining.Batch first = t.batch(3, 9L);
      ClippyTraining.Batch again = t.batch(3, 9L);
      assertThat(first.keep()).isDeepEqualTo(again.keep());
      assertThat(first.indices()).containsExactly(again.indices());
      assertThat(first.keep()).hasNumberOfRows(8);
      assertThat(first.keep()[0]).hasSize(8); // 16 patches, drop 0.5
      assertThat(t.batch(4, 9L).keep()).isNotEqualTo(first.keep());
      assertThat(t.batch(3, 10L).keep()).isNotEqualTo(first.keep());
    }
  }

  @Test
  void theModelSeesOnlyTheKeptTokens() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTokenizer tok = Tiny.tokenizer();
      ClippyModel model = Tiny.model(tok, ClippyConfig.DEFAULT, 3L, m);
      NDArray images = m.randomNormal(new Shape(2, 3, 32, 32));
      int[][] keep = {{0, 5, 9, 15}, {1, 2, 3, 4}};
      assertThat(model.imageTokens(images, keep).getShape()).isEqualTo(new Shape(2, 5, 16));
      // keeping every token in grid order is the full forward
      int[][] all = new int[2][16];
      for (int i = 0; i < 16; i++) {
        all[0][i] = i;
        all[1][i] = i;
      }
      float[] full = model.imageTokens(images, null).toFloatArray();
      float[] kept = model.imageTokens(images, all).toFloatArray();
      for (int i = 0; i < full.length; i++) {
        assertThat(Math.abs(full[i] - kept[i])).isLessThan(1e-5f);
      }
      NDArray one = model.imageTokens(images.get("0:1"), new int[][] {{0}});
      assertThat(one.getShape()).isEqualTo(new Shape(1, 2, 16));
    }
  }

  @Test
  void selectionRejectsRaggedOrOutOfRangeIndices() {
    assertThatThrownBy(() -> PatchDropout.selection(new int[][] {{0, 1}, {2}}, 4)).hasMessageContaining("same number");
    assertThatThrownBy(() -> PatchDropout.selection(new int[][] {{0, 4}}, 4)).hasMessageContaining("outside");
  }
}

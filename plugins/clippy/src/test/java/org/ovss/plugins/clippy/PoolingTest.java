package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;

/** The aggregations against values computed by hand on tiny tensors. */
class PoolingTest {

  @Test
  void maxPoolTakesEachChannelsMaximumOverTheTokens() {
    try (NDManager m = NDManager.newBaseManager()) {
      // [B=2, N=3, E=2]
      NDArray tokens = m.create(new float[] {
          1, -5,
          3, 0,
          2, -1,

          -4, 7,
          -2, 8,
          -3, 9}, new Shape(2, 3, 2));
      // channel maxima may come from different tokens: (3 from token 1, 0 from token 1), (-2, 9)
      assertThat(ClippyModel.maxPool(tokens).toFloatArray()).containsExactly(3, 0, -2, 9);
    }
  }

  @Test
  void maskedMeanAveragesOnlyTheNonPaddingTokens() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray tokens = m.create(new float[] {
          1, 2,
          3, 4,
          100, 100, // padding

          -1, 5,
          100, 100, // padding
          100, 100}, new Shape(2, 3, 2));
      NDArray mask = m.create(new float[] {1, 1, 0, 1, 0, 0}, new Shape(2, 3));
      float[] mean = ClippyModel.maskedMean(tokens, mask).toFloatArray();
      assertThat(mean).containsExactly(new float[] {2, 3, -1, 5}, within(1e-6f));
    }
  }

  @Test
  void maskedMaxIgnoresPaddingEvenWhenItIsLarger() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray tokens = m.create(new float[] {
          -1, -2,
          -3, 4,
          50, 50, // padding

          -7, -8,
          60, 60,
          60, 60}, new Shape(2, 3, 2));
      NDArray mask = m.create(new float[] {1, 1, 0, 1, 0, 0}, new Shape(2, 3));
      assertThat(ClippyModel.maskedMax(tokens, mask).toFloatArray()).containsExactly(new float[] {-1, 4, -7, -8}, within(1e-6f));
    }
  }

  @Test
  void rowsAtPicksOneTokenPerSample() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray tokens = m.arange(12f).reshape(2, 3, 2);
      assertThat(ClippyModel.rowsAt(tokens, new int[] {2, 0}).toFloatArray()).containsExactly(4, 5, 6, 7);
    }
  }

  @Test
  void imageEmbeddingsPoolThePatchTokensOnlyAndTheClsForCls() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = new ClipModel(new ClipConfig(2, 16, 1, 4, 1, 8, 4, 10, 4, 1, 1));
      // [B=1, 1 + N=3, E=2]: a huge CLS must not leak into the max or mean of the patches
      NDArray tokens = m.create(new float[] {1000, 1000, 1, 5, 3, -1, 2, 2}, new Shape(1, 4, 2));
      ClippyModel max = new ClippyModel(clip, ClippyConfig.DEFAULT);
      assertThat(max.imageEmbedding(tokens).toFloatArray()).containsExactly(3, 5);
      ClippyModel mean = new ClippyModel(clip, new ClippyConfig(ClippyConfig.ImagePool.MEAN, ClippyConfig.TextPool.MEAN,
          ClippyConfig.TextAttention.BIDIRECTIONAL));
      assertThat(mean.imageEmbedding(tokens).toFloatArray()).containsExactly(new float[] {2, 2}, within(1e-6f));
      ClippyModel cls = new ClippyModel(clip, new ClippyConfig(ClippyConfig.ImagePool.CLS, ClippyConfig.TextPool.MEAN,
          ClippyConfig.TextAttention.BIDIRECTIONAL));
      assertThat(cls.imageEmbedding(tokens).toFloatArray()).containsExactly(1000, 1000);
    }
  }

  @Test
  void textMaskRunsFromStartToEndOfText() {
    try (NDManager m = NDManager.newBaseManager()) {
      // the end-of-text token is each row's largest id; 0 pads
      NDArray ids = m.create(new int[] {5, 3, 9, 0, 0, 5, 9, 0, 0, 0}, new Shape(2, 5));
      assertThat(ClippyModel.eotPositions(ids)).containsExactly(2, 1);
    }
  }
}

package org.ovss.clip.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.ovss.clip.model.PositionalInterpolation.Scale;

class PositionalInterpolationTest {
  private static final int N = 3;
  private static final int WIDTH = 2;

  /** CLIP-layout embeddings [1 + N*N, WIDTH]: class row (7, -3), grid rows {@code grid(i)}. */
  private static NDArray positions(NDManager m, boolean constantGrid) {
    float[] v = new float[(1 + N * N) * WIDTH];
    v[0] = 7;
    v[1] = -3;
    for (int i = WIDTH; i < v.length; i++) {
      v[i] = constantGrid ? 0.25f : i * 0.1f;
    }
    return m.create(v, new Shape(1 + N * N, WIDTH));
  }

  @Test
  void theNativeGridKeepsTheEmbeddingAndScaleOneIsTheIdentity() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pos = positions(m, false);
      assertThat(PositionalInterpolation.withClassToken(m, pos, N, WIDTH, N, N, Scale.SCLIP)).isSameAs(pos);
      NDArray grid = pos.get("1:").reshape(N, N, WIDTH).transpose(2, 0, 1); // [W, n, n]
      assertThat(PositionalInterpolation.resampleGrid(m, grid, N, N, N, Scale.SIZE_RATIO).toFloatArray())
          .containsExactly(grid.toFloatArray());
    }
  }

  @Test
  void anotherGridKeepsTheClassRowAndAConstantGridStaysConstant() {
    for (Scale scale : Scale.values()) {
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray out = PositionalInterpolation.withClassToken(m, positions(m, true), N, WIDTH, 2, 5, scale);
        assertThat(out.getShape()).isEqualTo(new Shape(1 + 2 * 5, WIDTH));
        float[] v = out.toFloatArray();
        assertThat(Arrays.copyOf(v, WIDTH)).containsExactly(7f, -3f);
        for (int i = WIDTH; i < v.length; i++) {
          assertThat(v[i]).as("%s, value %d", scale, i).isCloseTo(0.25f, within(1e-6f)); // bicubic weights sum to 1
        }
      }
    }
  }
}

package org.ovss.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NormsTest {

  @Test
  void rowsAreDividedByTheirNorm() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] out = Norms.l2Normalize(m.create(new float[] {3f, 4f, 0f, 2f}, new Shape(2, 2))).toFloatArray();
      assertThat(out).containsExactly(new float[] {0.6f, 0.8f, 0f, 1f}, within(1e-7f));
    }
  }

  /** The floor changes nothing on a row above it, bit for bit; on a zero row it gives zeros where no floor gives NaN. */
  @Test
  void theFloorOnlyMattersBelowIt() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] rows = {0.3f, -1.7f, 2.9f, 1e-3f, 0f, 0f, 0f, 0f};
      float[] plain = Norms.l2Normalize(m.create(rows, new Shape(2, 4))).toFloatArray();
      float[] floored = Norms.l2Normalize(m.create(rows, new Shape(2, 4)), Norms.TORCH_NORMALIZE_EPS).toFloatArray();
      for (int i = 0; i < 4; i++) {
        assertThat(Float.floatToIntBits(floored[i])).isEqualTo(Float.floatToIntBits(plain[i]));
      }
      for (int i = 4; i < 8; i++) {
        assertThat(plain[i]).isNaN();
        assertThat(floored[i]).isZero();
      }
    }
  }
}

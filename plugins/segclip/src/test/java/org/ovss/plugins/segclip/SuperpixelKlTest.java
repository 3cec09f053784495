package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The superpixel KL loss on cases small enough to compute by hand. */
class SuperpixelKlTest {

  @Test
  void twoPatchesOfOneSuperPatchAssignedToDifferentCentres() {
    try (NDManager m = NDManager.newBaseManager()) {
      // B = 1, N = 2 patches, L = 2 centres; patch 0 -> centre 0, patch 1 -> centre 1, one super-patch
      float[] assignment = {1, 0, 0, 1};
      float[] same = {1, 1, 1, 1};
      // The super-patch mean is (0.5, 0.5) for both, softmax (1/2, 1/2); softmax of a one-hot row is
      // (e, 1) / (e + 1).
      double p = Math.E / (Math.E + 1);
      double q = 1 / (Math.E + 1);
      double klCm = 0.5 * Math.log(0.5 / p) + 0.5 * Math.log(0.5 / q); // KL(softmax C || softmax M), one row
      double klMc = p * Math.log(p / 0.5) + q * Math.log(q / 0.5); // KL(softmax M || softmax C), one row
      double sum = 2 * (klCm + klMc); // both rows alike
      double code = sum / 2 / (1 * 2 * 2);
      double paper = sum / 2 / (1 * 2);
      float got = SuperpixelKl.loss(m.create(assignment, new Shape(1, 2, 2)), m.create(same, new Shape(1, 2, 2)),
          SuperpixelKl.Normalisation.CODE).getFloat();
      assertThat((double) got).isCloseTo(code, Offset.offset(1e-6));
      assertThat(code).isCloseTo(0.05776, Offset.offset(1e-5)); // (0.12012 + 0.11094) x 2 / 2 / 4
      float gotPaper = SuperpixelKl.loss(m.create(assignment, new Shape(1, 2, 2)), m.create(same, new Shape(1, 2, 2)),
          SuperpixelKl.Normalisation.PAPER).getFloat();
      assertThat((double) gotPaper).isCloseTo(paper, Offset.offset(1e-6));
    }
  }

  @Test
  void patchesAloneInTheirSuperPatchCostNothing() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] assignment = {1, 0, 0, 0, 1, 0, 0, 0, 1};
      float[] identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
      float got = SuperpixelKl.loss(m.create(assignment, new Shape(1, 3, 3)), m.create(identity, new Shape(1, 3, 3)),
          SuperpixelKl.Normalisation.CODE).getFloat();
      assertThat(got).isCloseTo(0f, Offset.offset(1e-7f));
    }
  }

  @Test
  void agreeingPatchesOfASuperPatchCostNothing() {
    try (NDManager m = NDManager.newBaseManager()) {
      // patches 0 and 1 share a super-patch and a centre; patch 2 is alone
      float[] assignment = {0, 1, 0, 1, 1, 0};
      float[] same = {1, 1, 0, 1, 1, 0, 0, 0, 1};
      float got = SuperpixelKl.loss(m.create(assignment, new Shape(1, 3, 2)), m.create(same, new Shape(1, 3, 3)),
          SuperpixelKl.Normalisation.CODE).getFloat();
      assertThat(got).isCloseTo(0f, Offset.offset(1e-7f));
    }
  }
}

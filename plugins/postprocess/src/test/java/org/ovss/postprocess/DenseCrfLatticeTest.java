package org.ovss.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The permutohedral lattice on its own: reference values and barycentric weights. */
class DenseCrfLatticeTest {
  private static final float[][] VALUES = {{1, 0}, {0, 1}, {1, 1}, {0.5f, 0.25f}, {2, 0}, {0, 0.5f}};

  /**
   * Outputs of densecrf's permutohedral.cpp (Permutohedral::init and seqCompute, compiled from the pydensecrf
   * sources for this check) for these six points and values.
   */
  @Test
  void filterMatchesPermutohedralCpp() {
    float[][] f2 = {{0, 0}, {0.5f, 0.25f}, {1, 0}, {0.2f, 1.1f}, {2.5f, 2.5f}, {0.75f, 0.6f}};
    check(f2, 9, new float[] {1.53358972f, 1.54264987f, 1.59282064f, 1.82789564f, 1.40077865f, 1.71599865f,
        1.2085402f, 1.32960725f, 1.47994602f, 0.00239092018f, 1.57832277f, 1.94160295f});
    float[][] f5 = {{0, 0, 1, 2, 3}, {0.1f, 0.2f, 1.4f, 2.1f, 2.6f}, {0.3f, 0, 0.8f, 1.9f, 3.3f}, {1, 1, 1, 1, 1},
        {0.05f, 0.1f, 1.2f, 2.4f, 2.9f}, {3, 3, 0, 0, 0}};
    check(f5, 27, new float[] {2.29558897f, 1.07049191f, 1.82184184f, 0.886832654f, 1.60047615f, 0.80034548f,
        0.222308174f, 0.111154087f, 1.95958471f, 0.865579367f, 0f, 0.307946503f});
  }

  private static void check(float[][] points, int vertices, float[] expected) {
    int d = points[0].length;
    float[] features = new float[points.length * d];
    float[] in = new float[points.length * 2];
    for (int i = 0; i < points.length; i++) {
      System.arraycopy(points[i], 0, features, i * d, d);
      System.arraycopy(VALUES[i], 0, in, i * 2, 2);
    }
    PermutohedralLattice lattice = PermutohedralLattice.build(features, d, points.length);
    assertThat(lattice.vertices()).isEqualTo(vertices);
    float[] out = filter(lattice, in, 2);
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).as("d=%d output %d", d, i).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void barycentricWeightsAreAPartitionOfUnity() {
    Random rnd = new Random(11);
    for (int d : new int[] {2, 5}) {
      int n = 500;
      float[] features = new float[n * d];
      for (int i = 0; i < features.length; i++) {
        features[i] = (float) (rnd.nextGaussian() * 20);
      }
      float[] bary = PermutohedralLattice.build(features, d, n).barycentric();
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int r = 0; r <= d; r++) {
          float b = bary[i * (d + 1) + r];
          assertThat(b).isBetween(-1e-6f, 1 + 1e-6f);
          sum += b;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
      }
    }
  }

  private static float[] filter(PermutohedralLattice lattice, float[] in, int valueSize) {
    float[] bary = lattice.barycentric();
    float[] slice = new float[bary.length];
    for (int s = 0; s < bary.length; s++) {
      slice[s] = bary[s] * lattice.alpha();
    }
    float[] out = new float[in.length];
    lattice.filter(in, out, valueSize, bary, slice, lattice.buffers(valueSize));
    return out;
  }
}

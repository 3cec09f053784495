package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

  @Test
  void twoByTwo() {
    SymmetricEigen e = new SymmetricEigen(new double[][] {{2, 1}, {1, 2}});
    assertThat(e.values).containsExactly(new double[] {1, 3}, within(1e-12));
    double r = Math.sqrt(0.5);
    assertThat(Math.abs(e.vectors[0][1])).isCloseTo(r, within(1e-12));
    assertThat(e.vectors[1][1]).isCloseTo(e.vectors[0][1], within(1e-12));
  }

  @Test
  void randomSymmetricMatricesDecompose() {
    Random random = new Random(1);
    for (int n : new int[] {1, 2, 3, 7, 40}) {
      double[][] a = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          a[i][j] = random.nextGaussian();
          a[j][i] = a[i][j];
        }
      }
      SymmetricEigen e = new SymmetricEigen(a);
      for (int k = 0; k < n; k++) {
        if (k > 0) {
          assertThat(e.values[k]).isGreaterThanOrEqualTo(e.values[k - 1]);
        }
        for (int i = 0; i < n; i++) {
          double av = 0;
          for (int j = 0; j < n; j++) {
            av += a[i][j] * e.vectors[j][k];
          }
          assertThat(av).as("(A v - lambda v)[" + i + "] of vector " + k + ", n " + n)
              .isCloseTo(e.values[k] * e.vectors[i][k], within(1e-9));
        }
        for (int l = 0; l < n; l++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += e.vectors[i][k] * e.vectors[i][l];
          }
          assertThat(dot).isCloseTo(k == l ? 1 : 0, within(1e-9));
        }
      }
    }
  }

  @Test
  void rankDeficientMatrixHasZeroEigenvalues() {
    // u u^T with u = (1, 2, 2): eigenvalues 0, 0, 9
    double[] u = {1, 2, 2};
    double[][] a = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        a[i][j] = u[i] * u[j];
      }
    }
    SymmetricEigen e = new SymmetricEigen(a);
    assertThat(e.values).containsExactly(new double[] {0, 0, 9}, within(1e-9));
    assertThat(Math.abs(e.vectors[0][2])).isCloseTo(1.0 / 3, within(1e-9));
  }
}

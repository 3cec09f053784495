package org.ovss.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageContext;
import org.ovss.api.InvalidInputException;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;

/**
 * The lattice CRF against a brute-force mean-field with exact Gaussian kernels, plus behaviour and parameter checks.
 *
 * <p>Why the comparison has a tolerance: the permutohedral lattice only approximates the Gaussian. Its kernel has
 * compact support (zero beyond about 3 feature units), is narrower than {@code exp(-r^2/2)} in 5 dimensions (about
 * 0.51 instead of 0.61 at r = 1, 0.04 instead of 0.14 at r = 2) and its self-weight varies with the position inside
 * the simplex. The normalised messages therefore differ by a few hundredths; the Potts weights (10 for SimSeg's
 * bilateral term) turn that into logit differences of a few tenths, which moves marginals by up to about 0.1 where
 * two labels compete. On the block images below (colour noise 8, well under {@code srgb}) the measured maximum is
 * 0.04, and 0.09 over twice as many seeds, hence the bound 0.15. With colour noise near {@code srgb} an isolated pixel
 * on the knife edge between two labels can flip (measured max |dQ| 0.91, on 1 of 120 pixels), so there only label
 * agreement and the mean error (measured 0.006) are bounded.
 */
class DenseCrfTest {
  private static final DenseCrf.Settings SIMSEG = new DenseCrf.Settings(3, 3, 3, 40, 13, 10);
  /** A narrower appearance kernel, so that the spatial part of the bilateral features matters on small images. */
  private static final DenseCrf.Settings LOCAL = new DenseCrf.Settings(5, 2, 3, 4, 30, 5);

  @Test
  void agreesWithExactMeanFieldOnBlockImages() {
    Worst worst = new Worst();
    for (DenseCrf.Settings s : new DenseCrf.Settings[] {SIMSEG, LOCAL}) {
      for (long seed = 1; seed <= 3; seed++) {
        for (int[] size : new int[][] {{12, 10, 3}, {16, 16, 4}, {32, 32, 4}}) {
          Comparison c = worst.add(compare(Scene.blocks(size[0], size[1], size[2], 8, seed), s));
          assertThat(c.agreement).as("label agreement %s", c).isGreaterThanOrEqualTo(0.95);
          assertThat(c.maxError).as("max |Q - Q_exact| %s", c).isLessThan(0.15);
        }
      }
    }
    worst.print("colour noise 8");
  }

  @Test
  void agreesOnLabelsWhenColourNoiseIsNearTheKernelWidth() {
    Worst worst = new Worst();
    for (long seed = 1; seed <= 3; seed++) {
      for (int[] size : new int[][] {{12, 10, 3}, {32, 32, 4}}) {
        Comparison c = worst.add(compare(Scene.blocks(size[0], size[1], size[2], 12, seed), SIMSEG));
        assertThat(c.agreement).as("label agreement %s", c).isGreaterThanOrEqualTo(0.95);
        assertThat(c.meanError).as("mean |Q - Q_exact| %s", c).isLessThan(0.01);
      }
    }
    worst.print("colour noise 12");
  }

  @Test
  void uniformImageAndProbabilitiesStayUniform() {
    int h = 9;
    int w = 11;
    int classes = 4;
    float[] rgb = new float[3 * h * w];
    Arrays.fill(rgb, 120f);
    float[] prob = new float[classes * h * w];
    Arrays.fill(prob, 0.25f);
    float[] q = new DenseCrf(SIMSEG).refine(prob, classes, h, w, new ImageContext(h, w, rgb, new float[rgb.length]));
    assertThat(q).hasSize(prob.length);
    for (float v : q) {
      assertThat(v).isCloseTo(0.25f, within(1e-6f));
    }
  }

  @Test
  void confidentRegionsKeepTheirLabelAndAnUnsureOutlierJoinsItsRegion() {
    int h = 20;
    int w = 20;
    int n = h * w;
    float[] rgb = new float[3 * n];
    float[] prob = new float[2 * n];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        boolean left = x < w / 2;
        rgb[i] = left ? 200 : 30;
        rgb[n + i] = 40;
        rgb[2 * n + i] = left ? 30 : 200;
        prob[i] = left ? 0.9f : 0.1f;
        prob[n + i] = 1 - prob[i];
      }
    }
    int outlier = 10 * w + 4;
    prob[outlier] = 0.4f;
    prob[n + outlier] = 0.6f;
    float[] q = new DenseCrf(SIMSEG).refine(prob, 2, h, w, new ImageContext(h, w, rgb, new float[rgb.length]));
    for (int i = 0; i < n; i++) {
      int label = q[i] >= q[n + i] ? 0 : 1;
      assertThat(label).as("pixel (%d, %d)", i / w, i % w).isEqualTo(i % w < w / 2 ? 0 : 1);
      assertThat(q[i] + q[n + i]).isCloseTo(1f, within(1e-5f));
    }
  }

  @Test
  void smallerScoresAreResizedToTheImage() {
    int classes = 3;
    float[] prob = new float[classes * 4 * 5];
    for (int i = 0; i < 20; i++) {
      prob[i] = 0.6f;
      prob[20 + i] = 0.3f;
      prob[40 + i] = 0.1f;
    }
    Scene scene = Scene.blocks(12, 15, classes, 8, 5);
    float[] q = new DenseCrf(SIMSEG).refine(prob, classes, 4, 5, scene.image);
    int n = 12 * 15;
    assertThat(q).hasSize(classes * n);
    for (int i = 0; i < n; i++) {
      assertThat(q[i] + q[n + i] + q[2 * n + i]).isCloseTo(1f, within(1e-5f));
      assertThat(q[i]).isGreaterThan(q[n + i]);
    }
  }

  @Test
  void scoresAreResizedWithPyTorchsHalfPixelRule() {
    // F.interpolate([0, 1, 2] -> 6, bilinear, align_corners=False) = [0, 0.25, 0.75, 1.25, 1.75, 2] along each axis.
    float[] row = Resize.bilinear(new float[] {0, 1, 2}, 1, 1, 3, 1, 6, false);
    assertThat(row).containsExactly(0f, 0.25f, 0.75f, 1.25f, 1.75f, 2f);
    float[] grid = Resize.bilinear(new float[] {0, 1, 2, 3}, 1, 2, 2, 4, 4, false);
    // (1, 1) samples the source at (0.25, 0.25): 0.1875 * 1 + 0.1875 * 2 + 0.0625 * 3.
    assertThat(grid[5]).isCloseTo(0.75f, within(1e-6f));
  }

  @Test
  void rejectsLogitsWithANegativeValue() {
    Scene scene = Scene.blocks(6, 6, 2, 8, 1);
    float[] scores = scene.prob.clone();
    scores[7] = -0.5f;
    assertThatThrownBy(() -> new DenseCrf(SIMSEG).refine(scores, 2, 6, 6, scene.image))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("probabilities");
  }

  @Test
  void providerDefaultsAreSimSegs() {
    DenseCrfProvider p = new DenseCrfProvider();
    assertThat(p.id()).isEqualTo("densecrf");
    assertThat(p.defaults()).containsExactlyInAnyOrderEntriesOf(Map.of("iterations", "3", "gaussian-sxy", "3",
        "gaussian-compat", "3", "bilateral-sxy", "40", "bilateral-srgb", "13", "bilateral-compat", "10"));
    assertThat(p.create(Map.of())).isInstanceOf(DenseCrf.class);
    assertThat(p.create(Map.of("iterations", "5", "bilateral-srgb", "5.5"))).isInstanceOf(DenseCrf.class);
  }

  @Test
  void providerRejectsUnknownAndInvalidParametersByName() {
    DenseCrfProvider p = new DenseCrfProvider();
    assertThatThrownBy(() -> p.create(Map.of("sxy", "3"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown parameter 'sxy' for densecrf").hasMessageContaining("bilateral-srgb");
    assertThatThrownBy(() -> p.create(Map.of("gaussian-sxy", "-3"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'gaussian-sxy'").hasMessageContaining("-3");
    assertThatThrownBy(() -> p.create(Map.of("bilateral-compat", "ten"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'bilateral-compat'");
    assertThatThrownBy(() -> p.create(Map.of("bilateral-srgb", "NaN"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'bilateral-srgb'");
    assertThatThrownBy(() -> p.create(Map.of("iterations", "0"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'iterations'");
    assertThatThrownBy(() -> p.create(Map.of("iterations", "2.5"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'iterations'");
  }

  @Test
  void bothProvidersAreRegistered() {
    Map<String, PostProcessorProvider> found = StreamSupport
        .stream(ServiceLoader.load(PostProcessorProvider.class).spliterator(), false)
        .collect(Collectors.toMap(PostProcessorProvider::id, p -> p, (a, b) -> a, HashMap::new));
    assertThat(found).containsKeys("pamr", "densecrf");
    assertThat(found.get("densecrf")).isInstanceOf(DenseCrfProvider.class);
    assertThat(found.get("pamr")).isInstanceOf(PamrProvider.class);
  }

  private record Comparison(String scene, double maxError, double meanError, double agreement) {}

  /** Worst figures over a set of comparisons, printed so that the measured approximation error shows in the log. */
  private static final class Worst {
    private double maxError;
    private double meanError;
    private double agreement = 1;

    Comparison add(Comparison c) {
      maxError = Math.max(maxError, c.maxError);
      meanError = Math.max(meanError, c.meanError);
      agreement = Math.min(agreement, c.agreement);
      return c;
    }

    void print(String what) {
      System.out.printf("densecrf lattice vs exact mean-field (%s): max |dQ| %.4f, worst mean |dQ| %.4f, "
          + "lowest label agreement %.4f%n", what, maxError, meanError, agreement);
    }
  }

  private static Comparison compare(Scene scene, DenseCrf.Settings s) {
    int h = scene.image.height();
    int w = scene.image.width();
    int classes = scene.prob.length / (h * w);
    PostProcessor crf = new DenseCrf(s);
    float[] lattice = crf.refine(scene.prob, classes, h, w, scene.image);
    double[] exact = exactMeanField(scene.prob, classes, h, w, scene.image.rgb(), s);
    int n = h * w;
    double maxErr = 0;
    double sumErr = 0;
    int agree = 0;
    for (int i = 0; i < n; i++) {
      int a = 0;
      int b = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.abs(lattice[c * n + i] - exact[c * n + i]);
        maxErr = Math.max(maxErr, e);
        sumErr += e;
        a = lattice[c * n + i] > lattice[a * n + i] ? c : a;
        b = exact[c * n + i] > exact[b * n + i] ? c : b;
      }
      agree += a == b ? 1 : 0;
    }
    return new Comparison(h + "x" + w + " C=" + classes + " " + scene.label + " " + s, maxErr,
        sumErr / (n * classes), (double) agree / n);
  }

  /**
   * Mean-field with the exact Gaussian kernels in O(N^2) and pydensecrf's conventions: the kernel includes the pixel
   * itself (the lattice filter does, and densecrf.cpp subtracts nothing), symmetric normalisation
   * {@code n_i = 1/sqrt(sum_j k(i,j))}, Potts, unary {@code -log(p + 1e-8)}.
   */
  private static double[] exactMeanField(float[] prob, int classes, int h, int w, float[] rgb, DenseCrf.Settings s) {
    int n = h * w;
    double[][] kernels = new double[2][n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dx = i % w - j % w;
        double dy = i / w - j / w;
        double pos = dx * dx + dy * dy;
        double col = 0;
        for (int c = 0; c < 3; c++) {
          double dc = rgb[c * n + i] - rgb[c * n + j];
          col += dc * dc;
        }
        kernels[0][i * n + j] = Math.exp(-pos / (2.0 * s.gaussianSxy() * s.gaussianSxy()));
        kernels[1][i * n + j] = Math.exp(-pos / (2.0 * s.bilateralSxy() * s.bilateralSxy())
            - col / (2.0 * s.bilateralSrgb() * s.bilateralSrgb()));
      }
    }
    double[] weights = {s.gaussianCompat(), s.bilateralCompat()};
    double[][] norms = new double[2][n];
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
          sum += kernels[k][i * n + j];
        }
        norms[k][i] = 1 / Math.sqrt(sum);
      }
    }
    double[] logP = new double[classes * n];
    for (int i = 0; i < logP.length; i++) {
      logP[i] = Math.log(prob[i] + 1e-8);
    }
    double[] q = softmax(logP, classes, n);
    for (int it = 0; it < s.iterations(); it++) {
      double[] tmp = logP.clone();
      for (int k = 0; k < 2; k++) {
        for (int c = 0; c < classes; c++) {
          for (int i = 0; i < n; i++) {
            double m = 0;
            for (int j = 0; j < n; j++) {
              m += kernels[k][i * n + j] * norms[k][j] * q[c * n + j];
            }
            tmp[c * n + i] += weights[k] * norms[k][i] * m;
          }
        }
      }
      q = softmax(tmp, classes, n);
    }
    return q;
  }

  private static double[] softmax(double[] x, int classes, int n) {
    double[] out = new double[x.length];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, x[c * n + i]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        out[c * n + i] = Math.exp(x[c * n + i] - max);
        sum += out[c * n + i];
      }
      for (int c = 0; c < classes; c++) {
        out[c * n + i] /= sum;
      }
    }
    return out;
  }

  /** Four colour blocks with Gaussian colour noise, and probabilities that follow the blocks only noisily. */
  private record Scene(ImageContext image, float[] prob, String label) {
    private static final float[][] PALETTE = {{200, 40, 40}, {40, 180, 60}, {50, 60, 210}, {150, 150, 150}};

    static Scene blocks(int h, int w, int classes, double colourNoise, long seed) {
      Random rnd = new Random(seed);
      int n = h * w;
      int[] blockLabel = new int[PALETTE.length];
      for (int b = 0; b < blockLabel.length; b++) {
        blockLabel[b] = rnd.nextInt(classes);
      }
      float[] rgb = new float[3 * n];
      float[] prob = new float[classes * n];
      double[] e = new double[classes];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          int b = (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1);
          for (int c = 0; c < 3; c++) {
            rgb[c * n + i] = (float) Math.max(0, Math.min(255, Math.round(PALETTE[b][c] + colourNoise
                * rnd.nextGaussian())));
          }
          double sum = 0;
          for (int c = 0; c < classes; c++) {
            e[c] = Math.exp(rnd.nextGaussian() + (c == blockLabel[b] ? 1.0 : 0));
            sum += e[c];
          }
          for (int c = 0; c < classes; c++) {
            prob[c * n + i] = (float) (e[c] / sum);
          }
        }
      }
      return new Scene(new ImageContext(h, w, rgb, new float[3 * n]), prob,
          "noise " + colourNoise + " seed " + seed);
    }
  }
}

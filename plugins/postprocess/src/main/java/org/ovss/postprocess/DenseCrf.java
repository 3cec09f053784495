package org.ovss.postprocess;

import java.util.Arrays;
import org.ovss.api.ImageContext;
import org.ovss.api.InvalidInputException;
import org.ovss.api.PostProcessor;

/**
 * Fully connected CRF with Gaussian edge potentials (Krähenbühl and Koltun 2011), mean-field inference as
 * pydensecrf's densecrf.cpp runs it for {@code DenseCRF2D} with {@code addPairwiseGaussian(sxy, compat)} and
 * {@code addPairwiseBilateral(sxy, srgb, rgbim, compat)}: Potts compatibility, diagonal kernels with symmetric
 * normalisation, message passing through a {@link PermutohedralLattice}.
 *
 * <p>Input: class probabilities [classes, h, w] (resized to the image, bilinear, if their size differs); unary
 * {@code -log(p + 1e-8)} as SimSeg's seg_evaluation.py builds it. The appearance kernel reads
 * {@link ImageContext#rgb()} as given; pydensecrf takes uint8, so integral values reproduce it. Output: the final
 * marginals Q [classes, H, W].
 */
public final class DenseCrf implements PostProcessor {
  /** SimSeg's epsilon inside the log of the unary. */
  private static final float EPS = 1e-8f;
  private static final int GRAIN = 4096;

  /**
   * @param iterations mean-field steps
   * @param gaussianSxy spatial standard deviation of the smoothness kernel, pixels
   * @param gaussianCompat Potts weight of the smoothness kernel
   * @param bilateralSxy spatial standard deviation of the appearance kernel, pixels
   * @param bilateralSrgb colour standard deviation of the appearance kernel, on the 0-255 scale
   * @param bilateralCompat Potts weight of the appearance kernel
   */
  public record Settings(int iterations, float gaussianSxy, float gaussianCompat, float bilateralSxy,
      float bilateralSrgb, float bilateralCompat) {
    public Settings {
      if (iterations < 0 || !(gaussianSxy > 0) || !(bilateralSxy > 0) || !(bilateralSrgb > 0)) {
        throw new IllegalArgumentException("CRF needs iterations >= 0 and positive standard deviations");
      }
    }
  }

  private final Settings settings;

  public DenseCrf(Settings settings) {
    this.settings = settings;
  }

  @Override
  public float[] refine(float[] scores, int classes, int height, int width, ImageContext image) {
    Resize.requireScores(scores, classes, height, width);
    int h = image.height();
    int w = image.width();
    int n = h * w;
    float[] prob = height == h && width == w ? scores : Resize.bilinear(scores, classes, height, width, h, w, false);
    for (int i = 0; i < prob.length; i++) {
      if (!(prob[i] >= 0)) {
        throw new InvalidInputException("densecrf needs class probabilities, got " + prob[i] + " for class "
            + i / n + " at pixel (" + i % n / w + ", " + i % w + "); apply a softmax to logits first");
      }
    }
    // Pixel-major [n, classes] so that each lattice vertex carries all classes contiguously.
    float[] logP = new float[n * classes];
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        for (int c = 0; c < classes; c++) {
          logP[i * classes + c] = (float) Math.log(prob[c * n + i] + EPS);
        }
      }
    });
    Kernel smoothness = new Kernel(gaussianFeatures(h, w, settings.gaussianSxy()), 2, settings.gaussianCompat(),
        classes);
    Kernel appearance = new Kernel(bilateralFeatures(image, settings.bilateralSxy(), settings.bilateralSrgb()), 5,
        settings.bilateralCompat(), classes);
    // densecrf.cpp inference(): Q = softmax(-unary); repeat tmp = -unary - sum_k (-w_k K_k Q); Q = softmax(tmp).
    float[] q = new float[n * classes];
    softmax(logP, q, n, classes);
    float[] tmp = new float[n * classes];
    for (int it = 0; it < settings.iterations(); it++) {
      System.arraycopy(logP, 0, tmp, 0, tmp.length);
      smoothness.addMessage(q, tmp);
      appearance.addMessage(q, tmp);
      softmax(tmp, q, n, classes);
    }
    float[] out = new float[classes * n];
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        for (int c = 0; c < classes; c++) {
          out[c * n + i] = q[i * classes + c];
        }
      }
    });
    return out;
  }

  /** densecrf.cpp addPairwiseGaussian: (x / sx, y / sy). */
  private static float[] gaussianFeatures(int h, int w, float sxy) {
    float[] f = new float[h * w * 2];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 2;
        f[o] = x / sxy;
        f[o + 1] = y / sxy;
      }
    }
    return f;
  }

  /** densecrf.cpp addPairwiseBilateral: (x / sx, y / sy, r / sr, g / sg, b / sb). */
  private static float[] bilateralFeatures(ImageContext image, float sxy, float srgb) {
    int h = image.height();
    int w = image.width();
    int n = h * w;
    float[] rgb = image.rgb();
    float[] f = new float[n * 5];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int o = i * 5;
        f[o] = x / sxy;
        f[o + 1] = y / sxy;
        f[o + 2] = rgb[i] / srgb;
        f[o + 3] = rgb[n + i] / srgb;
        f[o + 4] = rgb[2 * n + i] / srgb;
      }
    }
    return f;
  }

  /** densecrf.cpp expAndNormalize, per pixel over the classes. */
  private static void softmax(float[] in, float[] out, int n, int classes) {
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        int o = i * classes;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          max = Math.max(max, in[o + c]);
        }
        float sum = 0f;
        for (int c = 0; c < classes; c++) {
          float e = expNonPositive(in[o + c] - max);
          out[o + c] = e;
          sum += e;
        }
        float inv = 1f / sum;
        for (int c = 0; c < classes; c++) {
          out[o + c] *= inv;
        }
      }
    });
  }

  /**
   * {@code exp(x)} for {@code x <= 0} to within 1e-7 relative error (Cephes expf: range reduction by ln 2 and a
   * degree-7 polynomial), about three times faster than {@link Math#exp} and called once per class and pixel in
   * every iteration.
   */
  private static float expNonPositive(float x) {
    if (x < -87.33f) {
      return 0f;
    }
    int k = Math.round(x * 1.44269504f);
    float r = x - k * 0.693359375f + k * 2.12194440e-4f;
    float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r
        + 1.6666665459e-1f) * r + 5.0000001201e-1f;
    return (p * r * r + r + 1f) * Float.intBitsToFloat((k + 127) << 23);
  }

  /**
   * One pairwise term: pairwise.cpp DenseKernel with NORMALIZE_SYMMETRIC ({@code n_i = 1/sqrt(K 1 + 1e-20)}, message
   * {@code n .* K (n .* Q)}) followed by PottsCompatibility ({@code -w} times the message). The per-point factors
   * are folded into the lattice's splat and slice weights once.
   */
  private static final class Kernel {
    private final PermutohedralLattice lattice;
    private final float[] splat;
    private final float[] slice;
    private final int classes;
    private final float[][] buffers;

    Kernel(float[] features, int d, float compat, int classes) {
      this.classes = classes;
      lattice = PermutohedralLattice.build(features, d, features.length / d);
      int points = lattice.points();
      int corners = d + 1;
      float[] bary = lattice.barycentric();
      float alpha = lattice.alpha();
      float[] plainSlice = new float[bary.length];
      for (int s = 0; s < bary.length; s++) {
        plainSlice[s] = bary[s] * alpha;
      }
      float[] ones = new float[points];
      Arrays.fill(ones, 1f);
      float[] norm = new float[points];
      lattice.filter(ones, norm, 1, bary, plainSlice, lattice.buffers(1));
      splat = new float[bary.length];
      slice = new float[bary.length];
      for (int i = 0; i < points; i++) {
        float ni = (float) (1.0 / Math.sqrt(norm[i] + 1e-20));
        for (int r = 0; r < corners; r++) {
          int s = i * corners + r;
          splat[s] = bary[s] * ni;
          slice[s] = plainSlice[s] * ni * compat;
        }
      }
      buffers = lattice.buffers(classes);
    }

    /** {@code tmp += compat * n .* K (n .* q)}, i.e. {@code tmp -= PottsCompatibility(compat).apply(...)}. */
    void addMessage(float[] q, float[] tmp) {
      lattice.filter(q, tmp, classes, splat, slice, buffers);
    }
  }
}

package org.ovss.plugins.segclip;

import java.util.Arrays;

/**
 * Felzenszwalb-Huttenlocher graph-based segmentation (IJCV 2004) as scikit-image's {@code
 * segmentation.felzenszwalb} computes it for a colour image ({@code _felzenszwalb_cy.pyx}), which is
 * what SegCLIP's superpixel preprocessing calls ({@code felzenszwalb(img, scale=224, sigma=0.9,
 * min_size=224)}):
 *
 * <ol>
 *   <li>Gaussian smoothing of each channel with {@code sigma} (scipy {@code gaussian_filter}: kernel
 *       radius round(4 sigma), mode 'reflect'), in double precision on values in [0, 1];
 *   <li>an 8-connected pixel graph whose edge weight is the Euclidean distance of the smoothed colours;
 *   <li>edges in increasing weight: two components merge when the weight is below min(Int(C) +
 *       k / |C|) of both, with k = {@code scale} / 255 and Int(C) the weight of the edge that last grew C;
 *   <li>a second pass over the same edge order merging any pair where either side is smaller than
 *       {@code min_size} pixels.
 * </ol>
 *
 * <p>Labels are numbered 0.. in the raster order of each segment's first pixel, as skimage's {@code
 * np.unique(return_inverse=True)} over union-find roots (the smallest pixel index) numbers them. One
 * difference: edges of equal weight are taken in a stable order, where numpy's default (unstable)
 * quicksort leaves their order unspecified; ties only arise between exactly equal colour differences.
 */
public final class Felzenszwalb {
  private Felzenszwalb() {}

  /**
   * @param rgb planar image [3, height, width] with values in [0, 1]
   * @param scale k of the merge criterion, on skimage's 0-255 scale (larger: larger segments)
   * @param sigma Gaussian pre-smoothing in pixels (0: none)
   * @param minSize smallest segment size in pixels after the second pass
   * @return a label per pixel, row-major, numbered from 0
   */
  public static int[] segment(float[] rgb, int height, int width, double scale, double sigma, int minSize) {
    int n = height * width;
    if (height <= 0 || width <= 0 || rgb.length % n != 0 || rgb.length / n < 1) {
      throw new IllegalArgumentException("image of " + rgb.length + " values is not [C, " + height + ", " + width + "]");
    }
    if (!(scale >= 0) || !(sigma >= 0) || minSize < 0) {
      throw new IllegalArgumentException("felzenszwalb needs scale >= 0, sigma >= 0 and min_size >= 0, got " + scale
          + ", " + sigma + ", " + minSize);
    }
    int channels = rgb.length / n;
    double[][] image = new double[channels][];
    for (int c = 0; c < channels; c++) {
      double[] plane = new double[n];
      for (int i = 0; i < n; i++) {
        plane[i] = rgb[c * n + i];
      }
      image[c] = sigma > 0 ? gaussian(plane, height, width, sigma) : plane;
    }
    // Edges in skimage's order: right, down, down-right, up-right neighbours, each row-major.
    int count = height * (width - 1) + (height - 1) * width + 2 * (height - 1) * (width - 1);
    int[] a = new int[count];
    int[] b = new int[count];
    int e = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x + 1 < width; x++, e++) {
        a[e] = y * width + x + 1;
        b[e] = y * width + x;
      }
    }
    for (int y = 0; y + 1 < height; y++) {
      for (int x = 0; x < width; x++, e++) {
        a[e] = (y + 1) * width + x;
        b[e] = y * width + x;
      }
    }
    for (int y = 0; y + 1 < height; y++) {
      for (int x = 0; x + 1 < width; x++, e++) {
        a[e] = (y + 1) * width + x + 1;
        b[e] = y * width + x;
      }
    }
    for (int y = 0; y + 1 < height; y++) {
      for (int x = 0; x + 1 < width; x++, e++) {
        a[e] = y * width + x + 1;
        b[e] = (y + 1) * width + x;
      }
    }
    double[] cost = new double[count];
    for (int i = 0; i < count; i++) {
      double s = 0;
      for (double[] plane : image) {
        double d = plane[a[i]] - plane[b[i]];
        s += d * d;
      }
      cost[i] = Math.sqrt(s);
    }
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(cost[i], cost[j])); // stable merge sort

    int[] forest = new int[n];
    int[] size = new int[n];
    double[] inner = new double[n];
    for (int i = 0; i < n; i++) {
      forest[i] = i;
      size[i] = 1;
    }
    double k = scale / 255.0;
    for (int idx : order) {
      int r0 = root(forest, a[idx]);
      int r1 = root(forest, b[idx]);
      if (r0 == r1) {
        continue;
      }
      // skimage keeps these thresholds in single precision ("cdef float inner_cost0, inner_cost1").
      float t0 = (float) (inner[r0] + k / size[r0]);
      float t1 = (float) (inner[r1] + k / size[r1]);
      if (cost[idx] < Math.min(t0, t1)) {
        int r = join(forest, r0, r1);
        size[r] = size[r0] + size[r1];
        inner[r] = cost[idx];
      }
    }
    for (int idx : order) {
      int r0 = root(forest, a[idx]);
      int r1 = root(forest, b[idx]);
      if (r0 != r1 && (size[r0] < minSize || size[r1] < minSize)) {
        int r = join(forest, r0, r1);
        size[r] = size[r0] + size[r1];
      }
    }
    int[] labels = new int[n];
    int[] relabel = new int[n];
    Arrays.fill(relabel, -1);
    int next = 0;
    for (int i = 0; i < n; i++) {
      int r = root(forest, i);
      if (relabel[r] < 0) {
        relabel[r] = next++; // roots are each segment's smallest index, so this is np.unique's order
      }
      labels[i] = relabel[r];
    }
    return labels;
  }

  /** The root of {@code i}'s tree, compressing the path. */
  private static int root(int[] forest, int i) {
    int r = i;
    while (forest[r] != r) {
      r = forest[r];
    }
    while (forest[i] != r) {
      int next = forest[i];
      forest[i] = r;
      i = next;
    }
    return r;
  }

  /** Joins two roots under the smaller index, as skimage's {@code join_trees}; returns the new root. */
  private static int join(int[] forest, int r0, int r1) {
    int r = Math.min(r0, r1);
    forest[r0] = r;
    forest[r1] = r;
    return r;
  }

  /** scipy.ndimage.gaussian_filter of one plane: separable, truncate 4, mode 'reflect' (d c b a | a b c d). */
  static double[] gaussian(double[] plane, int height, int width, double sigma) {
    int radius = (int) (4.0 * sigma + 0.5);
    double[] kernel = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      kernel[i + radius] = Math.exp(-0.5 / (sigma * sigma) * i * i);
      sum += kernel[i + radius];
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] /= sum;
    }
    double[] rows = new double[plane.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = 0;
        for (int t = -radius; t <= radius; t++) {
          v += kernel[t + radius] * plane[reflect(y + t, height) * width + x];
        }
        rows[y * width + x] = v;
      }
    }
    double[] out = new double[plane.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = 0;
        for (int t = -radius; t <= radius; t++) {
          v += kernel[t + radius] * rows[y * width + reflect(x + t, width)];
        }
        out[y * width + x] = v;
      }
    }
    return out;
  }

  /** scipy's 'reflect' boundary: the edge sample repeated, period 2n. */
  private static int reflect(int i, int n) {
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }
}

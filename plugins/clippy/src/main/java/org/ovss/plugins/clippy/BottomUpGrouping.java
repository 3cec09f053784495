package org.ovss.plugins.clippy;

import java.util.Arrays;
import java.util.TreeSet;
import org.ovss.nn.Bilinear;

/**
 * CLIPpy's bottom-up (label-free) grouping and its Jaccard evaluation, in plain Java so that a runner can
 * call it on any method's dense features ({@code encodeImage} of one whole image, [D, h, w]).
 *
 * <p><b>Grouping</b> (CLIPpy paper Section 3.5, footnote 1): "we compute PCA across the
 * spatial map of image features. Each principal component corresponds to a candidate group and we
 * cluster the proximity of each feature vector to these components", with 8 components. The paper leaves
 * the details open; implemented here, each a setting of {@link Options}:
 *
 * <ol>
 *   <li>the h x w tokens are L2-normalised ({@code normalize}, default on: CLIPpy's dense features are
 *       compared by cosine, and the unofficial code normalises them) and mean-centred ({@code center},
 *       default on: PCA of the centred map; uncentred, the first component is just the mean direction);
 *   <li>the first {@code components} principal components (eigenvectors of the token covariance, largest
 *       variance first; components without variance are dropped) give the candidate groups;
 *   <li>each token goes to the group of largest proximity, proximity being the projection of the centred
 *       token onto a component (the cosine up to the token's own norm, which does not change the argmax).
 *       A component's sign is arbitrary, so the default {@link Assignment#SIGNED_PAIRS} makes each side of
 *       each component a group: 4 components give the paper's 8 "feature vectors (cluster centers)", the
 *       directions +-v_1 ... +-v_4. The literal one-group-per-component reading is {@link
 *       Assignment#SIGNED} (components oriented towards their positively skewed side, the few tokens far
 *       from the mean: the distinct object rather than the large background); it leaves the tokens on the
 *       negative side of every component to whichever minor component is least negative, and on a clean
 *       two-region map puts everything in one group. {@link Assignment#ABSOLUTE} (|projection|) merges the
 *       two sides of a component, e.g. object and background along the first one;
 *   <li>the h x w group map is brought to the label map's size by nearest neighbour (as the DINO-lineage
 *       Jaccard code upsamples its masks) or by bilinear upsampling of the proximities then argmax.
 * </ol>
 *
 * <p><b>Jaccard similarity</b> (PAPER 4.2: "following evaluation protocol in [11, 101] ... the average
 * intersection over the union across all segmentation instances regardless of object category"; Table 2
 * caption: "an instance average of the IoU between proposed and annotated segmentations"). As the
 * DINO-lineage VOC evaluation ({@code get_per_sample_jaccard}, which the paper's references use): each
 * ground-truth segment (each label value present, except the background label and the ignore label) is
 * matched with the group of highest IoU; an image's score is the mean over its segments; the dataset's is
 * the mean over images with at least one segment ({@link Mean}). Unlike that code, pixels with the ignore
 * label count in neither intersection nor union (its {@code cur_mask != 255} test was meant to do that but
 * is always true).
 */
public final class BottomUpGrouping {
  private BottomUpGrouping() {}

  /** How a token's proximity to the components picks its group. */
  public enum Assignment {
    /** argmax_k of the projection onto component k (oriented by skew): one group per component. */
    SIGNED,
    /** argmax over +projection and -projection: two groups per component, one for each side. */
    SIGNED_PAIRS,
    /** argmax_k of |projection|: one group per component. */
    ABSOLUTE
  }

  /** How the group map reaches the label map's size. */
  public enum Upsampling {
    /** Nearest neighbour of the group map (PyTorch {@code interpolate(mode='nearest')}). */
    NEAREST,
    /** Bilinear upsampling of the per-group proximities (align_corners False), then argmax. */
    BILINEAR
  }

  /**
   * Grouping and evaluation settings.
   *
   * @param components principal components (candidate groups), at least 1 (paper 8)
   * @param assignment how tokens pick a component
   * @param normalize L2-normalise each token first
   * @param center subtract the mean token first
   * @param upsampling how the group map is resized to the labels
   * @param ignoreLabel label value that is not scored (VOC 255)
   * @param backgroundLabel label value that is not a segment (VOC 0), or -1 when every label is one
   */
  public record Options(int components, Assignment assignment, boolean normalize, boolean center,
      Upsampling upsampling, int ignoreLabel, int backgroundLabel) {

    /**
     * 8 candidate groups (both sides of 4 components), normalised and centred tokens, nearest upsampling,
     * VOC labels (0 background, 255 ignored).
     */
    public static final Options DEFAULT = new Options(4, Assignment.SIGNED_PAIRS, true, true, Upsampling.NEAREST, 255, 0);

    public Options {
      if (components < 1) {
        throw new IllegalArgumentException("PCA grouping needs at least one component, got " + components);
      }
      if (assignment == null || upsampling == null) {
        throw new IllegalArgumentException("assignment and upsampling must not be null");
      }
    }

    public Options withComponents(int k) {
      return new Options(k, assignment, normalize, center, upsampling, ignoreLabel, backgroundLabel);
    }

    public Options withAssignment(Assignment a) {
      return new Options(components, a, normalize, center, upsampling, ignoreLabel, backgroundLabel);
    }

    public Options withUpsampling(Upsampling u) {
      return new Options(components, assignment, normalize, center, u, ignoreLabel, backgroundLabel);
    }

    /** These options for a label map whose {@code label} is background ({@code -1}: none, every label is a segment). */
    public Options withBackground(int label) {
      return new Options(components, assignment, normalize, center, upsampling, ignoreLabel, label);
    }

    /** These options for a label map whose {@code label} marks pixels to leave out. */
    public Options withIgnore(int label) {
      return new Options(components, assignment, normalize, center, upsampling, label, backgroundLabel);
    }

    public Options withNormalization(boolean normalizeTokens, boolean centerTokens) {
      return new Options(components, assignment, normalizeTokens, centerTokens, upsampling, ignoreLabel, backgroundLabel);
    }
  }

  /**
   * Principal components of a set of tokens.
   *
   * @param mean the mean token (zeros when not centred), length d
   * @param components unit eigenvectors [k][d], largest variance first, oriented (see the class comment)
   * @param variances their eigenvalues (variance along each, divided by the token count)
   */
  public record Pca(double[] mean, double[][] components, double[] variances) {
    public int count() {
      return components.length;
    }
  }

  // ---------------------------------------------------------------- PCA

  /** Tokens [N, D] (row-major) of a [D, h, w] feature map, each L2-normalised when {@code normalize}. */
  static double[][] tokens(float[] features, int d, int h, int w, boolean normalize) {
    int n = h * w;
    if (d < 1 || h < 1 || w < 1 || features.length != (long) d * n) {
      throw new IllegalArgumentException("features hold " + features.length + " values, not D x h x w = " + d + " x " + h
          + " x " + w);
    }
    double[][] t = new double[n][d];
    for (int c = 0; c < d; c++) {
      for (int i = 0; i < n; i++) {
        float v = features[c * n + i];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("feature " + c + " of token " + i + " is not finite: " + v);
        }
        t[i][c] = v;
      }
    }
    if (normalize) {
      for (double[] row : t) {
        double norm = 0;
        for (double v : row) {
          norm += v * v;
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        for (int c = 0; c < d; c++) {
          row[c] /= norm;
        }
      }
    }
    return t;
  }

  /**
   * The first {@code k} principal components of {@code tokens} [N][D], from the D x D covariance or, when
   * there are fewer tokens than dimensions, the N x N Gram matrix (same non-zero spectrum). Components
   * whose variance is below 1e-9 of the largest (or all, for constant tokens) are dropped, so fewer than
   * {@code k} may come back.
   */
  public static Pca pca(double[][] tokens, int k, boolean center) {
    int n = tokens.length;
    int d = n == 0 ? 0 : tokens[0].length;
    if (n == 0 || d == 0) {
      throw new IllegalArgumentException("PCA needs at least one token of at least one dimension");
    }
    double[] mean = new double[d];
    if (center) {
      for (double[] row : tokens) {
        for (int c = 0; c < d; c++) {
          mean[c] += row[c];
        }
      }
      for (int c = 0; c < d; c++) {
        mean[c] /= n;
      }
    }
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < d; c++) {
        x[i][c] = tokens[i][c] - mean[c];
      }
    }
    double[][] vectors; // [count][d]
    double[] variances;
    if (d <= n) {
      double[][] cov = new double[d][d];
      for (double[] row : x) {
        for (int a = 0; a < d; a++) {
          double ra = row[a];
          if (ra == 0) {
            continue;
          }
          for (int b = a; b < d; b++) {
            cov[a][b] += ra * row[b];
          }
        }
      }
      for (int a = 0; a < d; a++) {
        for (int b = a; b < d; b++) {
          cov[a][b] /= n;
          cov[b][a] = cov[a][b];
        }
      }
      SymmetricEigen eig = new SymmetricEigen(cov);
      int count = kept(eig.values, k);
      vectors = new double[count][d];
      variances = new double[count];
      for (int j = 0; j < count; j++) {
        int col = d - 1 - j; // ascending order: the largest last
        variances[j] = eig.values[col];
        for (int c = 0; c < d; c++) {
          vectors[j][c] = eig.vectors[c][col];
        }
      }
    } else {
      double[][] gram = new double[n][n];
      for (int a = 0; a < n; a++) {
        for (int b = a; b < n; b++) {
          double s = 0;
          for (int c = 0; c < d; c++) {
            s += x[a][c] * x[b][c];
          }
          gram[a][b] = s / n;
          gram[b][a] = gram[a][b];
        }
      }
      SymmetricEigen eig = new SymmetricEigen(gram);
      int count = kept(eig.values, k);
      vectors = new double[count][d];
      variances = new double[count];
      for (int j = 0; j < count; j++) {
        int col = n - 1 - j;
        variances[j] = eig.values[col];
        // v = X^T u / |X^T u|
        double norm = 0;
        for (int c = 0; c < d; c++) {
          double s = 0;
          for (int i = 0; i < n; i++) {
            s += x[i][c] * eig.vectors[i][col];
          }
          vectors[j][c] = s;
          norm += s * s;
        }
        norm = Math.sqrt(norm);
        for (int c = 0; c < d; c++) {
          vectors[j][c] /= norm;
        }
      }
    }
    for (double[] v : vectors) {
      orient(v, x);
    }
    return new Pca(mean, vectors, variances);
  }

  /** How many of the largest eigenvalues (ascending array) to keep: at most k, each above 1e-9 of the largest. */
  private static int kept(double[] ascending, int k) {
    int m = ascending.length;
    double largest = ascending[m - 1];
    if (!(largest > 1e-30)) {
      return 0;
    }
    int count = 0;
    while (count < Math.min(k, m) && ascending[m - 1 - count] > 1e-9 * largest) {
      count++;
    }
    return count;
  }

  /**
   * Flips {@code v} so that the projections of the centred tokens have a positive third moment; when it
   * is (numerically) zero, so that the projection of largest magnitude is positive.
   */
  private static void orient(double[] v, double[][] centred) {
    double cubes = 0;
    double scale = 0;
    double extreme = 0;
    for (double[] row : centred) {
      double p = dot(row, v);
      cubes += p * p * p;
      scale += Math.abs(p * p * p);
      if (Math.abs(p) > Math.abs(extreme) + 1e-12) {
        extreme = p;
      }
    }
    boolean flip = Math.abs(cubes) > 1e-9 * scale ? cubes < 0 : extreme < 0;
    if (flip) {
      for (int c = 0; c < v.length; c++) {
        v[c] = -v[c];
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  // ---------------------------------------------------------------- groups

  /**
   * Each group's proximity at each token, [G][h*w]: G = components found (x 2 for {@link
   * Assignment#SIGNED_PAIRS}), or a single all-zero row when the tokens do not vary.
   *
   * @param features one image's dense features [D, h, w] (channel-major, as {@code encodeImage} gives them)
   */
  public static float[][] groupScores(float[] features, int d, int h, int w, Options options) {
    double[][] t = tokens(features, d, h, w, options.normalize());
    Pca pca = pca(t, options.components(), options.center());
    int n = h * w;
    if (pca.count() == 0) {
      return new float[1][n];
    }
    int groups = options.assignment() == Assignment.SIGNED_PAIRS ? 2 * pca.count() : pca.count();
    float[][] scores = new float[groups][n];
    double[] centred = new double[d];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < d; c++) {
        centred[c] = t[i][c] - pca.mean()[c];
      }
      for (int k = 0; k < pca.count(); k++) {
        double p = dot(centred, pca.components()[k]);
        switch (options.assignment()) {
          case SIGNED -> scores[k][i] = (float) p;
          case ABSOLUTE -> scores[k][i] = (float) Math.abs(p);
          case SIGNED_PAIRS -> {
            scores[2 * k][i] = (float) p;
            scores[2 * k + 1][i] = (float) -p;
          }
        }
      }
    }
    return scores;
  }

  /** The group of each token, [h*w] row-major: the argmax of {@link #groupScores} (first maximum on ties). */
  public static int[] groups(float[] features, int d, int h, int w, Options options) {
    return argmax(groupScores(features, d, h, w, options), h * w);
  }

  /** The group map resized to {@code outH} x {@code outW} by {@link Options#upsampling()}. */
  public static int[] groupsAt(float[] features, int d, int h, int w, int outH, int outW, Options options) {
    float[][] scores = groupScores(features, d, h, w, options);
    if (options.upsampling() == Upsampling.NEAREST) {
      return Images.resizeNearest(argmax(scores, h * w), h, w, outH, outW);
    }
    int g = scores.length;
    float[] flat = new float[g * h * w];
    for (int k = 0; k < g; k++) {
      System.arraycopy(scores[k], 0, flat, k * h * w, h * w);
    }
    float[] up = Bilinear.planar(flat, g, h, w, outH, outW);
    float[][] rows = new float[g][];
    for (int k = 0; k < g; k++) {
      rows[k] = Arrays.copyOfRange(up, k * outH * outW, (k + 1) * outH * outW);
    }
    return argmax(rows, outH * outW);
  }

  private static int[] argmax(float[][] scores, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < scores.length; k++) {
        if (scores[k][i] > scores[best][i]) {
          best = k;
        }
      }
      out[i] = best;
    }
    return out;
  }

  // ---------------------------------------------------------------- Jaccard

  /**
   * The Jaccard similarity of one image: the bottom-up groups of its dense features against its label map.
   *
   * @param features the image's dense features [D, h, w], covering the same field of view as the labels
   * @param labels the ground-truth label map [labelH, labelW] row-major
   * @return the mean over the image's segments of the best IoU of a group, or NaN when the image has no
   *     segment (only background and ignored pixels); {@link Mean} skips NaN
   */
  public static double jaccard(float[] features, int d, int h, int w, int[] labels, int labelH, int labelW,
      Options options) {
    if (labelH < 1 || labelW < 1 || labels.length != (long) labelH * labelW) {
      throw new IllegalArgumentException("labels hold " + labels.length + " values, not " + labelH + " x " + labelW);
    }
    int[] groupMap = groupsAt(features, d, h, w, labelH, labelW, options);
    return jaccard(groupMap, labels, options.ignoreLabel(), options.backgroundLabel());
  }

  /**
   * The Jaccard similarity of a group map against a label map of the same size: for each segment (each
   * label value present, except {@code backgroundLabel} and {@code ignoreLabel}) the best IoU of any
   * group, ignored pixels excluded from both; the mean over segments, or NaN when there is none.
   *
   * @param groupMap group index (0 or more) of each pixel
   * @param backgroundLabel label that is not a segment, or -1 when every label is one
   */
  public static double jaccard(int[] groupMap, int[] labels, int ignoreLabel, int backgroundLabel) {
    if (groupMap.length != labels.length) {
      throw new IllegalArgumentException("group map has " + groupMap.length + " pixels, labels " + labels.length);
    }
    TreeSet<Integer> segmentSet = new TreeSet<>();
    int groups = 0;
    for (int i = 0; i < labels.length; i++) {
      if (groupMap[i] < 0) {
        throw new IllegalArgumentException("group index " + groupMap[i] + " at pixel " + i + " is negative");
      }
      if (labels[i] != ignoreLabel) {
        groups = Math.max(groups, groupMap[i] + 1);
        if (labels[i] != backgroundLabel || backgroundLabel < 0) {
          segmentSet.add(labels[i]);
        }
      }
    }
    if (segmentSet.isEmpty()) {
      return Double.NaN;
    }
    int[] segments = segmentSet.stream().mapToInt(Integer::intValue).toArray();
    long[][] inter = new long[segments.length][groups];
    long[] segmentSize = new long[segments.length];
    long[] groupSize = new long[groups];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == ignoreLabel) {
        continue;
      }
      groupSize[groupMap[i]]++;
      int s = Arrays.binarySearch(segments, labels[i]);
      if (s >= 0) {
        segmentSize[s]++;
        inter[s][groupMap[i]]++;
      }
    }
    double sum = 0;
    for (int s = 0; s < segments.length; s++) {
      double best = 0;
      for (int g = 0; g < groups; g++) {
        long union = segmentSize[s] + groupSize[g] - inter[s][g];
        if (union > 0) {
          best = Math.max(best, (double) inter[s][g] / union);
        }
      }
      sum += best;
    }
    return sum / segments.length;
  }

  /** The dataset-level Jaccard similarity: the mean of the per-image values, images without segments (NaN) skipped. */
  public static final class Mean {
    private double sum;
    private long count;

    /** Adds one image's value; NaN (no segment) is skipped. */
    public void add(double imageJaccard) {
      if (!Double.isNaN(imageJaccard)) {
        sum += imageJaccard;
        count++;
      }
    }

    /** Images counted. */
    public long count() {
      return count;
    }

    /** The mean, or NaN before any image with a segment. */
    public double value() {
      return count == 0 ? Double.NaN : sum / count;
    }

    /** Sum and count, exactly (a resumable evaluation saves them). */
    public double[] state() {
      return new double[] {sum, count};
    }

    /** Restores {@link #state()}. */
    public void restore(double[] state) {
      if (state.length != 2 || !(state[1] >= 0) || state[1] != Math.rint(state[1])) {
        throw new IllegalArgumentException("a grouping mean's state is [sum, count], not " + java.util.Arrays.toString(state));
      }
      sum = state[0];
      count = (long) state[1];
    }
  }
}

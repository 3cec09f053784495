package org.ovss.postprocess;

import java.util.Arrays;
import org.ovss.api.ImageContext;
import org.ovss.api.PostProcessor;

/**
 * Pixel-Adaptive Mask Refinement (Araslanov and Roth 2020), computed as the reference {@code pamr.py} of
 * visinf/1-stage-wseg (copied by SCLIP, TCL and NACLIP): the scores are resized to the image (bilinear, aligned
 * corners), then repeatedly replaced by an affinity-weighted average of their 8 neighbours at each dilation, where
 * the affinities come from the model-normalised image ({@link ImageContext#normalized()}). Works on logits or
 * probabilities alike; the output has the input's kind.
 */
public final class Pamr implements PostProcessor {
  /** pamr.py LocalAffinity kernel order: the 3x3 grid row by row without its centre. */
  private static final int[][] NEIGHBOURS = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};

  private final int iterations;
  private final int[] dilations;

  /**
   * @param iterations propagation steps ({@code num_iter})
   * @param dilations neighbour distances in pixels ({@code dilations}), each positive
   */
  public Pamr(int iterations, int[] dilations) {
    if (iterations < 0 || dilations.length == 0) {
      throw new IllegalArgumentException("PAMR needs iterations >= 0 and at least one dilation");
    }
    for (int d : dilations) {
      if (d <= 0) {
        throw new IllegalArgumentException("PAMR dilations must be positive, got " + d);
      }
    }
    this.iterations = iterations;
    this.dilations = dilations.clone();
  }

  @Override
  public float[] refine(float[] scores, int classes, int height, int width, ImageContext image) {
    Resize.requireScores(scores, classes, height, width);
    int h = image.height();
    int w = image.width();
    float[] mask = Resize.bilinear(scores, classes, height, width, h, w, true);
    int taps = NEIGHBOURS.length * dilations.length;
    // Clamped row starts and column shifts of every neighbour: pamr.py pads with mode='replicate' before the
    // dilated conv.
    int[][] rowStart = new int[taps][h];
    int[] shift = new int[taps];
    for (int di = 0; di < dilations.length; di++) {
      for (int k = 0; k < NEIGHBOURS.length; k++) {
        int t = di * NEIGHBOURS.length + k;
        int dy = NEIGHBOURS[k][0] * dilations[di];
        for (int y = 0; y < h; y++) {
          rowStart[t][y] = clamp(y + dy, h) * w;
        }
        shift[t] = NEIGHBOURS[k][1] * dilations[di];
      }
    }
    float[][] aff = affinities(image.normalized(), h, w, rowStart, shift);
    float[] next = new float[mask.length];
    int plane = h * w;
    for (int it = 0; it < iterations; it++) {
      float[] src = mask;
      float[] dst = next;
      // pamr.py: mask = (LocalAffinityCopy(mask) * aff).sum(2), summed over the taps in kernel order per pixel. Each
      // tap's replicate-padded, shifted source row is copied out first so that the multiply-add runs over equal
      // indices of distinct arrays, which C2 vectorises (it does not with a shifted index into a float[] that may
      // alias the destination).
      Parallel.forRange(h * classes, 16, (from, to) -> {
        float[] shifted = new float[w];
        float[] acc = new float[w];
        for (int r = from; r < to; r++) {
          int y = r / classes;
          int base = (r % classes) * plane;
          Arrays.fill(acc, 0f);
          for (int t = 0; t < taps; t++) {
            int row = base + rowStart[t][y];
            int dx = shift[t];
            int inFrom = Math.min(w, Math.max(0, -dx));
            int inTo = Math.max(inFrom, Math.min(w, w - dx));
            Arrays.fill(shifted, 0, inFrom, src[row]);
            if (inTo > inFrom) {
              System.arraycopy(src, row + inFrom + dx, shifted, inFrom, inTo - inFrom);
            }
            Arrays.fill(shifted, inTo, w, src[row + w - 1]);
            float[] a = aff[t * h + y];
            for (int x = 0; x < w; x++) {
              acc[x] += shifted[x] * a[x];
            }
          }
          System.arraycopy(acc, 0, dst, base + y * w, w);
        }
      });
      next = mask;
      mask = dst;
    }
    return mask;
  }

  /**
   * Per-pixel softmax over the neighbours of the channel-mean of {@code -|x - x_n| / (1e-8 + 0.1 std)}, with the
   * standard deviation taken per channel over the 3x3 grids of all dilations, centre included (pamr.py LocalStDev:
   * {@code x.std(2)}, unbiased). One array per (tap, row): index {@code t * h + y}.
   */
  private float[][] affinities(float[] x, int h, int w, int[][] rowStart, int[] shift) {
    int taps = rowStart.length;
    int channels = x.length / (h * w);
    int plane = h * w;
    float[][] aff = new float[taps * h][w];
    Parallel.forRange(h, 8, (from, to) -> {
      float[] acc = new float[taps];
      double[] grid = new double[9 * dilations.length];
      for (int y = from; y < to; y++) {
        for (int xx = 0; xx < w; xx++) {
          Arrays.fill(acc, 0f);
          int p = y * w + xx;
          for (int c = 0; c < channels; c++) {
            int base = c * plane;
            float centre = x[base + p];
            float denom = 1e-8f + 0.1f * stdDev(x, base, y, xx, h, w, grid);
            for (int t = 0; t < taps; t++) {
              float n = x[base + rowStart[t][y] + clamp(xx + shift[t], w)];
              acc[t] += -Math.abs(centre - n) / denom;
            }
          }
          float max = Float.NEGATIVE_INFINITY;
          for (int t = 0; t < taps; t++) {
            acc[t] /= channels;
            max = Math.max(max, acc[t]);
          }
          float sum = 0f;
          for (int t = 0; t < taps; t++) {
            acc[t] = (float) Math.exp(acc[t] - max);
            sum += acc[t];
          }
          for (int t = 0; t < taps; t++) {
            aff[t * h + y][xx] = acc[t] / sum;
          }
        }
      }
    });
    return aff;
  }

  /** Unbiased standard deviation of the 9 taps per dilation (centre counted once per dilation), two-pass. */
  private float stdDev(float[] x, int base, int y, int xx, int h, int w, double[] grid) {
    int n = 0;
    double mean = 0;
    for (int d : dilations) {
      for (int dy = -1; dy <= 1; dy++) {
        int row = base + clamp(y + dy * d, h) * w;
        for (int dx = -1; dx <= 1; dx++) {
          double v = x[row + clamp(xx + dx * d, w)];
          grid[n++] = v;
          mean += v;
        }
      }
    }
    mean /= n;
    double ss = 0;
    for (int i = 0; i < n; i++) {
      double e = grid[i] - mean;
      ss += e * e;
    }
    return (float) Math.sqrt(ss / (n - 1));
  }

  private static int clamp(int i, int n) {
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
  }
}

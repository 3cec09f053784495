package org.ovss.plugins.simseg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The steps of SimSeg's official segmentation (muyangyi/SimSeg@50f3f59 {@code tools/seg_evaluation.py
 * evaluate_benchmark}) that are plain arithmetic on one image: class scores, the adaptive threshold, the candidate
 * classes, the per-class map's upsampling and min-max normalisation, the morphological closing and the stacking of
 * the class masks by score.
 */
final class SimsegInference {
  /**
   * Score of a query channel that is not a selected class, below background (0) and below every off-mask
   * value (-score, score in (0, 1]).
   */
  static final float NOT_SELECTED = -1f;

  private SimsegInference() {}

  /**
   * Per-class image-level scores: the best of the class's queries (synonyms), and which query that is.
   *
   * @param score per class
   * @param bestQuery per class, the query index whose score it is
   */
  record ClassScores(float[] score, int[] bestQuery) {}

  /**
   * @param queryScores scores of all queries of a vocabulary, starting at {@code offset}
   * @param queryClass class of each query
   */
  static ClassScores classScores(float[] queryScores, int offset, int[] queryClass, int classCount) {
    float[] score = new float[classCount];
    int[] best = new int[classCount];
    Arrays.fill(score, Float.NEGATIVE_INFINITY);
    Arrays.fill(best, -1);
    for (int q = 0; q < queryClass.length; q++) {
      int c = queryClass[q];
      float s = queryScores[offset + q];
      if (best[c] < 0 || s > score[c]) {
        score[c] = s;
        best[c] = q;
      }
    }
    return new ClassScores(score, best);
  }

  /**
   * How many top scores give the threshold's mean and deviation. {@code topClasses > 0} is that count (the
   * official 10 for VOC and COCO, 30 for Context); 0 means the paper's "top half classes in datasets", half of
   * the classes counted with background ({@code (foreground + 1) / 2}: VOC 21 -> 10, Context 60 -> 30). The
   * count is capped at the number of scored (foreground) classes.
   */
  static int topCount(int topClasses, int foregroundClasses) {
    int n = topClasses > 0 ? topClasses : (foregroundClasses + 1) / 2;
    return Math.max(1, Math.min(n, foregroundClasses));
  }

  /**
   * The adaptive threshold mu + coefficient x sigma over the {@code top} largest scores, sigma the unbiased
   * (N - 1) standard deviation as {@code torch.std}. One score has no deviation: sigma is 0 then (torch would
   * give NaN and so select every candidate).
   */
  static double threshold(float[] classScores, int top, double coefficient) {
    float[] sorted = classScores.clone();
    Arrays.sort(sorted);
    int n = Math.min(top, sorted.length);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += sorted[sorted.length - 1 - i];
    }
    double mean = sum / n;
    double sq = 0;
    for (int i = 0; i < n; i++) {
      double d = sorted[sorted.length - 1 - i] - mean;
      sq += d * d;
    }
    double sigma = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
    return mean + coefficient * sigma;
  }

  /**
   * The candidate classes in descending score order: at most {@code max} of the best classes, stopping at the
   * first whose score is below the threshold (the official loop over {@code topk_index[:5]} with {@code break}).
   * Equal scores keep the lower class first.
   */
  static int[] candidates(float[] classScores, double threshold, int max) {
    Integer[] order = IntStream.range(0, classScores.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -classScores[c]).thenComparingInt(c -> c));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(max, order.length); i++) {
      int c = order[i];
      if (classScores[c] < threshold) {
        break;
      }
      out.add(c);
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Nearest-neighbour resize of a [gh, gw] map to [h, w], PyTorch's {@code mode="nearest"}: source index
   * floor(dst x in / out), which for h = 16 gh is the official {@code scale_factor=patch_size} upsampling.
   */
  static float[] nearest(float[] grid, int gh, int gw, int h, int w) {
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      int sy = (int) ((long) y * gh / h);
      for (int x = 0; x < w; x++) {
        out[y * w + x] = grid[sy * gw + (int) ((long) x * gw / w)];
      }
    }
    return out;
  }

  /**
   * The map scaled to [0, 1] by its minimum and maximum, as the official code does before the CRF. A constant
   * map has no range: it gives zeros (the official division gives NaN, which ends as an empty mask too).
   */
  static float[] minMax(float[] map) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : map) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float[] out = new float[map.length];
    if (!(max > min)) {
      return out;
    }
    float range = max - min;
    for (int i = 0; i < map.length; i++) {
      out[i] = (map[i] - min) / range;
    }
    return out;
  }

  /**
   * Morphological closing with a {@code size} x {@code size} square (anchor at its centre): dilation then
   * erosion, once each, pixels outside the image ignored (OpenCV's default border for morphology). The
   * official {@code cv2.dilate(mask, kernel, 5)} / {@code cv2.erode(..., 3)} pass 5 and 3 as {@code dst}, not
   * as iterations, so each runs once ({@code tools/seg_evaluation.py}). {@code size <= 1} returns the mask.
   */
  static boolean[] closing(boolean[] mask, int h, int w, int size) {
    if (size <= 1) {
      return mask.clone();
    }
    int before = size / 2; // OpenCV's default anchor for an even size too
    int after = size - 1 - before;
    return filter(filter(mask, h, w, before, after, true), h, w, before, after, false);
  }

  /** Separable max (dilate) or min (erode) over the window [-before, +after] in both axes, clipped to the image. */
  private static boolean[] filter(boolean[] in, int h, int w, int before, int after, boolean dilate) {
    boolean[] rows = new boolean[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean v = !dilate;
        for (int d = Math.max(0, x - before); d <= Math.min(w - 1, x + after); d++) {
          v = dilate ? v || in[y * w + d] : v && in[y * w + d];
        }
        rows[y * w + x] = v;
      }
    }
    boolean[] out = new boolean[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean v = !dilate;
        for (int d = Math.max(0, y - before); d <= Math.min(h - 1, y + after); d++) {
          v = dilate ? v || rows[d * w + x] : v && rows[d * w + x];
        }
        out[y * w + x] = v;
      }
    }
    return out;
  }

  /**
   * Writes one image's scores [1 + Q, n] at {@code offset} of {@code out}: channel 0 (background) 0 everywhere;
   * the channel of each candidate class's best query {@code +score} inside the class mask and {@code -score}
   * outside; every other channel {@link #NOT_SELECTED}. The argmax is then the official {@code
   * temp_pred.argmax(0)} (mask x score, higher scores covering lower ones, unassigned pixels background),
   * without relying on how ties are broken; a candidate with score <= 0 can never beat the official zero
   * background, so it is left out. Outside-mask values of {@code -score} put class/background boundaries at the
   * midpoint when the runner resizes these scores bilinearly, as the official nearest resize of the label map.
   *
   * @param candidates classes, any order
   * @param masks per candidate, n flags
   */
  static void stack(float[] out, int offset, int queries, int n, int[] candidates, ClassScores scores, boolean[][] masks) {
    Arrays.fill(out, offset, offset + n, 0f);
    Arrays.fill(out, offset + n, offset + (1 + queries) * n, NOT_SELECTED);
    for (int i = 0; i < candidates.length; i++) {
      int c = candidates[i];
      float s = scores.score()[c];
      if (!(s > 0)) {
        continue;
      }
      int base = offset + (1 + scores.bestQuery()[c]) * n;
      boolean[] mask = masks[i];
      for (int p = 0; p < n; p++) {
        out[base + p] = mask[p] ? s : -s;
      }
    }
  }

  /** Argmax over the channels of [channels, n] scores, first maximum on ties (what {@link #stack} makes moot). */
  static int[] argmax(float[] scores, int channels, int n) {
    int[] out = new int[n];
    for (int p = 0; p < n; p++) {
      float best = scores[p];
      for (int c = 1; c < channels; c++) {
        if (scores[c * n + p] > best) {
          best = scores[c * n + p];
          out[p] = c;
        }
      }
    }
    return out;
  }
}

package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Images sharing forwards and scores made a band of rows at a time give what one image at a time, whole,
 * gives; the synonym max of {@link ClassScores#maxPerClass} against a hand loop.
 */
class SlideAggregationTest {
  private static final int Q = 5;
  private static final int PATCH = 4;

  /** A fixed per-patch linear scorer: [B, 3, h, w] to [B, Q, h/4, w/4]; counts the windows it sees. */
  private static UnaryOperator<NDArray> scorer(NDManager m, AtomicInteger forwards, AtomicInteger windows) {
    float[] mix = new float[Q * 3 * PATCH * PATCH];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = (float) Math.sin(i * 0.37);
    }
    NDArray weights = m.create(mix, new Shape(Q, 3 * PATCH * PATCH));
    return x -> {
      forwards.incrementAndGet();
      Shape s = x.getShape();
      windows.addAndGet((int) s.get(0));
      long gh = s.get(2) / PATCH;
      long gw = s.get(3) / PATCH;
      NDArray patches = x.reshape(s.get(0), 3, gh, PATCH, gw, PATCH).transpose(0, 2, 4, 1, 3, 5)
          .reshape(s.get(0), gh * gw, 3L * PATCH * PATCH); // [B, gh*gw, 48]
      return patches.matMul(weights.transpose()).transpose(0, 2, 1).reshape(s.get(0), Q, gh, gw);
    };
  }

  private static NDArray image(NDManager m, int h, int w, int seed) {
    float[] v = new float[3 * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.cos(i * 0.013 + seed);
    }
    return m.create(v, new Shape(1, 3, h, w));
  }

  @Test
  void imagesSharingForwardsAndBandsEqualOneImageAtATime() {
    try (NDManager m = NDManager.newBaseManager()) {
      AtomicInteger forwards = new AtomicInteger();
      AtomicInteger windows = new AtomicInteger();
      UnaryOperator<NDArray> segmenter = scorer(m, forwards, windows);
      List<NDArray> images = List.of(image(m, 40, 56, 0), image(m, 40, 56, 1), image(m, 40, 56, 2));
      List<int[]> out = List.of(new int[] {50, 70}, new int[] {41, 57}, new int[] {50, 70});
      // 16-pixel windows at stride 12 on 40x56: 3 x 5 = 15 windows per image, 45 in batches of 20 -> 3 forwards.
      List<SlideInference.Aggregation> together = SlideInference.runAll(segmenter, Q, images, 16, 12, 20, out);
      assertThat(forwards.get()).isEqualTo(3);
      assertThat(windows.get()).isEqualTo(45);
      for (int i = 0; i < images.size(); i++) {
        float[] alone = SlideInference.run(segmenter, Q, images.get(i), 16, 12, 15, out.get(i)[0], out.get(i)[1])
            .toFloatArray();
        SlideInference.Aggregation agg = together.get(i);
        assertThat(agg.height()).isEqualTo(out.get(i)[0]);
        assertThat(agg.full().toFloatArray()).as("image %d whole", i).containsExactly(alone);
        int h = agg.height();
        int w = agg.width();
        float[] banded = new float[Q * h * w];
        for (int y0 = 0; y0 < h; y0 += 7) {
          int y1 = Math.min(h, y0 + 7);
          try (NDManager band = m.newSubManager()) {
            NDArray rows = agg.band(band, y0, y1);
            assertThat(rows.getShape()).isEqualTo(new Shape((long) (y1 - y0) * w, Q));
            float[] v = rows.toFloatArray();
            for (int p = 0; p < (y1 - y0) * w; p++) {
              for (int q = 0; q < Q; q++) {
                banded[q * h * w + y0 * w + p] = v[p * Q + q];
              }
            }
          }
        }
        assertMaxAbs(banded, alone, 1e-5, "image " + i + " in bands");
      }
    }
  }

  @Test
  void wholeImagesShareForwardsInBatches() {
    try (NDManager m = NDManager.newBaseManager()) {
      AtomicInteger forwards = new AtomicInteger();
      AtomicInteger windows = new AtomicInteger();
      UnaryOperator<NDArray> segmenter = scorer(m, forwards, windows);
      List<NDArray> images = new ArrayList<>();
      List<int[]> out = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        images.add(image(m, 24, 32, i));
        out.add(new int[] {24, 32});
      }
      List<SlideInference.Aggregation> together = SlideInference.runAll(segmenter, Q, images, 0, 0, 2, out);
      assertThat(forwards.get()).isEqualTo(3);
      assertThat(windows.get()).isEqualTo(5);
      for (int i = 0; i < 5; i++) {
        float[] alone = SlideInference.run(segmenter, Q, images.get(i), 0, 0, 1).toFloatArray();
        // A batch of two and a batch of one may round a product differently in its last bit.
        assertMaxAbs(together.get(i).full().toFloatArray(), alone, 1e-5, "image " + i);
      }
    }
  }

  @Test
  void imagesOfDifferentSizesAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      UnaryOperator<NDArray> segmenter = scorer(m, new AtomicInteger(), new AtomicInteger());
      assertThatThrownBy(() -> SlideInference.runAll(segmenter, Q, List.of(image(m, 24, 32, 0), image(m, 24, 36, 1)),
          0, 0, 4, List.of(new int[] {24, 32}, new int[] {24, 36})))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one size");
    }
  }

  @Test
  void synonymMaxTakesEachClassesLargestChannel() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 6 channels over 4 pixels; class 0 <- {0}, class 1 <- {1, 4, 5}, class 2 <- {2, 3}.
      int[] queryClass = {0, 1, 2, 2, 1, 1};
      float[] v = new float[6 * 4];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) Math.sin(i * 1.7);
      }
      float[] got = ClassScores.maxPerClass(m.create(v, new Shape(6, 4)), queryClass, 3).toFloatArray();
      float[] want = new float[3 * 4];
      java.util.Arrays.fill(want, Float.NEGATIVE_INFINITY);
      for (int q = 0; q < 6; q++) {
        for (int p = 0; p < 4; p++) {
          want[queryClass[q] * 4 + p] = Math.max(want[queryClass[q] * 4 + p], v[q * 4 + p]);
        }
      }
      assertThat(got).containsExactly(want);
    }
  }

  @Test
  void prefetcherKeepsOrderAndLoadsAhead() throws Exception {
    List<Integer> items = List.of(0, 1, 2, 3, 4, 5, 6);
    AtomicInteger loaded = new AtomicInteger();
    try (Prefetcher<Integer, Integer> p = new Prefetcher<>(items, i -> {
      loaded.incrementAndGet();
      return i * 10;
    }, true, 3)) {
      assertThat(p.next()).isEqualTo(0);
      long deadline = System.currentTimeMillis() + 5000;
      while (loaded.get() < 4 && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(50);
      assertThat(loaded.get()).as("item 0 taken, items 1 to 3 loading ahead, not more").isEqualTo(4);
      List<Integer> rest = new ArrayList<>();
      while (p.hasNext()) {
        rest.add(p.next());
      }
      assertThat(rest).containsExactly(10, 20, 30, 40, 50, 60);
    }
  }

  private static void assertMaxAbs(float[] actual, float[] expected, double tol, String what) {
    assertThat(actual).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    assertThat(max).as(what).isLessThanOrEqualTo(tol);
  }
}

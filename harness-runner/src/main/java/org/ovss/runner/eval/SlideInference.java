package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;

/**
 * Dense per-query logits of one image: the whole image in one forward, or mmseg-style sliding windows
 * with every window of the image batched into as few forwards as {@code maxBatch} allows. The result is what
 * SCLIP computes (each window's patch-grid logits upsampled bilinearly to the window, summed onto the canvas,
 * divided by the per-pixel window count, then resized bilinearly to the output size), but computed as two matrix
 * products on the patch-grid logits: every step is linear and separable in rows and columns, and the count is too
 * (windows form a full grid, so count(y, x) = rows covering y times columns covering x). No full-resolution
 * canvas of every class is ever built; for 171 classes that saves ~24 GFLOP of resize per image.
 */
public final class SlideInference {
  private SlideInference() {}

  /**
   * @param image normalised image [1, 3, H, W]
   * @param crop window side, or 0 for whole-image inference
   * @param stride window stride (ignored for whole-image inference)
   * @return averaged logits [Q, H, W] in {@code image}'s manager
   */
  public static NDArray run(SegmentationMethod method, QueryEmbeddings queries, NDArray image, int crop, int stride,
      int maxBatch) {
    return run(windows -> method.segment(windows, queries), queries.queryCount(), image, crop, stride, maxBatch);
  }

  /** The same at the image's own size. */
  public static NDArray run(UnaryOperator<NDArray> segmenter, int channels, NDArray image, int crop, int stride,
      int maxBatch) {
    return run(segmenter, channels, image, crop, stride, maxBatch,
        (int) image.getShape().get(2), (int) image.getShape().get(3));
  }

  /**
   * Any per-window scorer: {@code segmenter} maps windows [B, 3, h, w] to scores [B, channels, h', w']; the
   * averaged scores are resized (bilinear, half-pixel centres) to {@code outH} x {@code outW}.
   *
   * @return scores [channels, outH, outW] in {@code image}'s manager
   */
  public static NDArray run(UnaryOperator<NDArray> segmenter, int channels, NDArray image, int crop, int stride,
      int maxBatch, int outH, int outW) {
    int height = (int) image.getShape().get(2);
    int width = (int) image.getShape().get(3);
    NDManager m = image.getManager();
    List<SlideWindows.Window> windows = crop <= 0
        ? List.of(new SlideWindows.Window(0, height, 0, width))
        : SlideWindows.place(height, width, crop, stride);
    List<int[]> rows = spans(windows, true);
    List<int[]> cols = spans(windows, false);
    if (rows.size() * cols.size() != windows.size()) {
      throw new IllegalStateException("windows do not form a grid: " + windows.size() + " for " + rows.size() + " x "
          + cols.size() + " spans");
    }
    NDArray logits; // [N, channels, gh, gw], windows in row-major grid order
    if (crop <= 0) {
      logits = segmenter.apply(image);
    } else {
      List<NDArray> parts = new ArrayList<>();
      for (int start = 0; start < windows.size(); start += maxBatch) {
        List<SlideWindows.Window> chunk = windows.subList(start, Math.min(windows.size(), start + maxBatch));
        List<NDArray> crops = new ArrayList<>(chunk.size());
        for (SlideWindows.Window w : chunk) {
          crops.add(image.get(new NDIndex("0, :, {}:{}, {}:{}", w.y1(), w.y2(), w.x1(), w.x2()))); // [3, ch, cw]
        }
        parts.add(segmenter.apply(NDArrays.stack(new NDList(crops)))); // [B, channels, gh, gw]
      }
      logits = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }
    Shape s = logits.getShape();
    if (s.get(1) != channels) {
      throw new IllegalStateException("segmenter returned " + s.get(1) + " channels, expected " + channels);
    }
    int gh = (int) s.get(2);
    int gw = (int) s.get(3);
    int r = rows.size();
    int c = cols.size();
    NDArray grid = logits.reshape(r, c, channels, gh, gw).transpose(2, 0, 3, 1, 4)
        .reshape(channels, (long) r * gh, (long) c * gw); // [Q, R*gh, C*gw]: window (i, j) is block (i, j)
    NDArray a = m.create(axis(rows, height, gh, outH), new Shape(outH, (long) r * gh));
    NDArray bT = m.create(axis(cols, width, gw, outW), new Shape(outW, (long) c * gw)).transpose();
    // Either order gives the same [Q, outH, outW]; take the one with fewer multiply-adds.
    double leftFirst = (double) outH * r * gh * c * gw + (double) outH * c * gw * outW;
    double rightFirst = (double) r * gh * c * gw * outW + (double) outH * r * gh * outW;
    return leftFirst <= rightFirst ? a.matMul(grid).matMul(bT) : a.matMul(grid.matMul(bT));
  }

  /** The distinct [start, end) spans of the windows along rows or columns, in placement order. */
  private static List<int[]> spans(List<SlideWindows.Window> windows, boolean rows) {
    List<int[]> spans = new ArrayList<>();
    for (SlideWindows.Window w : windows) {
      int from = rows ? w.y1() : w.x1();
      int to = rows ? w.y2() : w.x2();
      if (spans.stream().noneMatch(sp -> sp[0] == from && sp[1] == to)) {
        spans.add(new int[] {from, to});
      }
    }
    return spans;
  }

  /**
   * Along one axis, the map from every span's grid logits to the output: resize to the output size (from
   * {@code size}), times 1 / (spans covering the pixel), times placing the span, times upsampling its {@code grid}
   * cells to the span's length. Row-major [out, spans * grid], in double until the end.
   */
  static float[] axis(List<int[]> spans, int size, int grid, int out) {
    int[] cover = new int[size];
    for (int[] sp : spans) {
      for (int y = sp[0]; y < sp[1]; y++) {
        cover[y]++;
      }
    }
    float[] resize = BilinearMatrix.weights(size, out, false); // [out, size]
    int cols = spans.size() * grid;
    double[] m = new double[out * cols];
    for (int k = 0; k < spans.size(); k++) {
      int[] sp = spans.get(k);
      float[] up = BilinearMatrix.weights(grid, sp[1] - sp[0], false); // [span, grid]
      for (int o = 0; o < out; o++) {
        for (int y = sp[0]; y < sp[1]; y++) {
          float f = resize[o * size + y];
          if (f == 0f) {
            continue;
          }
          double scale = (double) f / cover[y];
          int row = (y - sp[0]) * grid;
          for (int j = 0; j < grid; j++) {
            m[o * cols + k * grid + j] += scale * up[row + j];
          }
        }
      }
    }
    float[] result = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      result[i] = (float) m[i];
    }
    return result;
  }
}

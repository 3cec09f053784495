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
import org.ovss.nn.Bilinear;

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
    return runAll(segmenter, channels, List.of(image), crop, stride, maxBatch, List.of(new int[] {outH, outW}))
        .get(0).full();
  }

  /**
   * Several images of the same size in shared forwards: their windows (or, for whole-image inference, the images)
   * go through {@code segmenter} in batches of up to {@code maxBatch}, image after image, so that small images fill
   * a batch. Nothing is resized yet: each {@link Aggregation} makes its image's scores at its own output size,
   * whole or a band of rows at a time.
   *
   * @param images normalised images [1, 3, H, W], all of the same H and W, in one manager
   * @param outSizes each image's output {height, width}
   */
  public static List<Aggregation> runAll(UnaryOperator<NDArray> segmenter, int channels, List<NDArray> images,
      int crop, int stride, int maxBatch, List<int[]> outSizes) {
    NDArray first = images.get(0);
    int height = (int) first.getShape().get(2);
    int width = (int) first.getShape().get(3);
    for (NDArray image : images) {
      if (image.getShape().get(2) != height || image.getShape().get(3) != width) {
        throw new IllegalArgumentException("images batched together must have one size: " + first.getShape() + " and "
            + image.getShape());
      }
    }
    List<SlideWindows.Window> windows = crop <= 0
        ? List.of(new SlideWindows.Window(0, height, 0, width))
        : SlideWindows.place(height, width, crop, stride);
    List<int[]> rows = spans(windows, true);
    List<int[]> cols = spans(windows, false);
    if (rows.size() * cols.size() != windows.size()) {
      throw new IllegalStateException("windows do not form a grid: " + windows.size() + " for " + rows.size() + " x "
          + cols.size() + " spans");
    }
    List<NDArray> crops = new ArrayList<>(images.size() * windows.size()); // image-major, windows in row-major order
    for (NDArray image : images) {
      if (crop <= 0) {
        crops.add(image.get(0)); // [3, H, W]
      } else {
        for (SlideWindows.Window w : windows) {
          crops.add(image.get(new NDIndex("0, :, {}:{}, {}:{}", w.y1(), w.y2(), w.x1(), w.x2()))); // [3, ch, cw]
        }
      }
    }
    List<NDArray> parts = new ArrayList<>();
    for (int start = 0; start < crops.size(); start += maxBatch) {
      List<NDArray> chunk = crops.subList(start, Math.min(crops.size(), start + maxBatch));
      parts.add(segmenter.apply(NDArrays.stack(new NDList(chunk)))); // [B, channels, gh, gw]
    }
    NDArray logits = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0); // [n*N, channels, gh, gw]
    Shape s = logits.getShape();
    if (s.get(1) != channels) {
      throw new IllegalStateException("segmenter returned " + s.get(1) + " channels, expected " + channels);
    }
    int gh = (int) s.get(2);
    int gw = (int) s.get(3);
    int r = rows.size();
    int c = cols.size();
    List<Aggregation> out = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      NDArray own = images.size() == 1 ? logits : logits.get(new NDIndex("{}:{}", i * windows.size(), (i + 1) * windows.size()));
      NDArray grid = own.reshape(r, c, channels, gh, gw).transpose(2, 0, 3, 1, 4)
          .reshape(channels, (long) r * gh, (long) c * gw); // [Q, R*gh, C*gw]: window (i, j) is block (i, j)
      int outH = outSizes.get(i)[0];
      int outW = outSizes.get(i)[1];
      out.add(new Aggregation(grid, axis(rows, height, gh, outH), axis(cols, width, gw, outW), outH, outW));
    }
    return out;
  }

  /**
   * One image's window scores on the patch grid and the two linear maps that average and resize them: the scores
   * at the output size are A . grid_q . B^T for every channel q.
   */
  public static final class Aggregation {
    private final NDArray grid; // [Q, R*gh, C*gw]
    private final float[] a; // [outH, R*gh]
    private final float[] b; // [outW, C*gw]
    private final int outH;
    private final int outW;
    private NDArray gridTimesBt; // [R*gh, outW * Q], made for the first band

    Aggregation(NDArray grid, float[] a, float[] b, int outH, int outW) {
      this.grid = grid;
      this.a = a;
      this.b = b;
      this.outH = outH;
      this.outW = outW;
    }

    public int channels() {
      return (int) grid.getShape().get(0);
    }

    public int height() {
      return outH;
    }

    public int width() {
      return outW;
    }

    /** The scores [Q, outH, outW] in the grid's manager. */
    public NDArray full() {
      NDManager m = grid.getManager();
      long rows = grid.getShape().get(1);
      long cols = grid.getShape().get(2);
      int q = channels();
      NDArray am = m.create(a, new Shape(outH, rows));
      NDArray bT = m.create(b, new Shape(outW, cols)).transpose();
      // Either order gives the same [Q, outH, outW]; take the one with fewer multiply-adds.
      double leftFirst = (double) q * outH * rows * cols + (double) q * outH * cols * outW;
      double rightFirst = (double) q * rows * cols * outW + (double) q * outH * rows * outW;
      return leftFirst <= rightFirst ? am.matMul(grid).matMul(bT) : am.matMul(grid.matMul(bT));
    }

    /**
     * Rows [y0, y1) of the scores, pixel-major: [(y1 - y0) * outW, Q] in {@code manager}, the channels of a pixel
     * contiguous (for a fast argmax over them). Bands of a few rows keep a 171-class image's scores out of memory
     * as a whole; the product with B is made once and shared by the bands.
     */
    public NDArray band(NDManager manager, int y0, int y1) {
      long rows = grid.getShape().get(1);
      long cols = grid.getShape().get(2);
      int q = channels();
      if (gridTimesBt == null) {
        NDManager m = grid.getManager();
        NDArray bm = m.create(b, new Shape(outW, cols));
        // [R*gh, outW, Q]: for every grid row i, B . grid[:, i, :]^T
        gridTimesBt = bm.matMul(grid.transpose(1, 2, 0)).reshape(rows, (long) outW * q);
      }
      // The band's rows of A use only a few grid rows (a resize and an upsampling reach two neighbours each): the
      // product runs over that range alone, a fraction of the R*gh rows.
      int r = (int) rows;
      int lo = r;
      int hi = 0;
      for (int y = y0; y < y1; y++) {
        for (int i = 0; i < r; i++) {
          if (a[y * r + i] != 0f) {
            lo = Math.min(lo, i);
            hi = Math.max(hi, i + 1);
          }
        }
      }
      int k = hi - lo;
      float[] part = new float[(y1 - y0) * k];
      for (int y = y0; y < y1; y++) {
        System.arraycopy(a, y * r + lo, part, (y - y0) * k, k);
      }
      NDArray am = manager.create(part, new Shape(y1 - y0, k));
      NDArray used = k == r ? gridTimesBt : gridTimesBt.get(manager, new NDIndex("{}:{}", lo, hi));
      return am.matMul(used).reshape((long) (y1 - y0) * outW, q);
    }
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
    float[] resize = Bilinear.weights(size, out, false); // [out, size]
    int cols = spans.size() * grid;
    double[] m = new double[out * cols];
    for (int k = 0; k < spans.size(); k++) {
      int[] sp = spans.get(k);
      float[] up = Bilinear.weights(grid, sp[1] - sp[0], false); // [span, grid]
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

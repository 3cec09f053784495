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
 * with every window of the image batched into as few forwards as {@code maxBatch} allows. Each window's
 * patch-grid logits are upsampled bilinearly to the window size (SCLIP {@code forward_feature}), summed
 * onto the canvas and divided by the per-pixel window count.
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

  /**
   * The same with any per-window scorer: {@code segmenter} maps windows [B, 3, h, w] to scores [B, channels,
   * h', w'], which are upsampled to the window and averaged.
   *
   * @return averaged scores [channels, H, W] in {@code image}'s manager
   */
  public static NDArray run(UnaryOperator<NDArray> segmenter, int channels, NDArray image, int crop, int stride,
      int maxBatch) {
    int height = (int) image.getShape().get(2);
    int width = (int) image.getShape().get(3);
    NDManager m = image.getManager();
    if (crop <= 0) {
      NDArray logits = segmenter.apply(image); // [1, Q, h, w]
      return BilinearMatrix.resize(logits.get(0), height, width, false); // [Q, H, W]
    }
    List<SlideWindows.Window> windows = SlideWindows.place(height, width, crop, stride);
    NDArray canvas = m.zeros(new Shape(channels, height, width));
    for (int start = 0; start < windows.size(); start += maxBatch) {
      List<SlideWindows.Window> chunk = windows.subList(start, Math.min(windows.size(), start + maxBatch));
      List<NDArray> crops = new ArrayList<>(chunk.size());
      for (SlideWindows.Window w : chunk) {
        crops.add(image.get(new NDIndex("0, :, {}:{}, {}:{}", w.y1(), w.y2(), w.x1(), w.x2()))); // [3, ch, cw]
      }
      NDArray batch = NDArrays.stack(new NDList(crops)); // [B, 3, ch, cw]
      SlideWindows.Window first = chunk.get(0);
      NDArray logits = segmenter.apply(batch); // [B, Q, h, w]
      NDArray up = BilinearMatrix.resize(logits, first.height(), first.width(), false); // [B, Q, ch, cw]
      for (int i = 0; i < chunk.size(); i++) {
        SlideWindows.Window w = chunk.get(i);
        NDIndex region = new NDIndex(":, {}:{}, {}:{}", w.y1(), w.y2(), w.x1(), w.x2());
        canvas.set(region, canvas.get(region).add(up.get(i)));
      }
    }
    NDArray count = m.create(SlideWindows.counts(windows, height, width), new Shape(1, height, width));
    return canvas.div(count);
  }
}

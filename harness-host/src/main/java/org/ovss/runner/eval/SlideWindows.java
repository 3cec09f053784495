package org.ovss.runner.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Window placement of mmseg's {@code slide_inference} (open-mmlab/mmsegmentation
 * {@code mmseg/models/segmentors/encoder_decoder.py}): a regular grid
 * whose last row and column are shifted back inside the image instead of padding it, and crops clipped
 * to the image when it is smaller than the crop.
 */
public final class SlideWindows {
  /** One window: rows [y1, y2), columns [x1, x2). */
  public record Window(int y1, int y2, int x1, int x2) {
    public int height() {
      return y2 - y1;
    }

    public int width() {
      return x2 - x1;
    }
  }

  private SlideWindows() {}

  public static List<Window> place(int height, int width, int crop, int stride) {
    int hGrids = Math.max(height - crop + stride - 1, 0) / stride + 1;
    int wGrids = Math.max(width - crop + stride - 1, 0) / stride + 1;
    List<Window> windows = new ArrayList<>(hGrids * wGrids);
    for (int hi = 0; hi < hGrids; hi++) {
      for (int wi = 0; wi < wGrids; wi++) {
        int y2 = Math.min(hi * stride + crop, height);
        int x2 = Math.min(wi * stride + crop, width);
        windows.add(new Window(Math.max(y2 - crop, 0), y2, Math.max(x2 - crop, 0), x2));
      }
    }
    return windows;
  }

  /** How many windows cover each pixel, row-major [height * width]; never zero. */
  public static float[] counts(List<Window> windows, int height, int width) {
    float[] count = new float[height * width];
    for (Window w : windows) {
      for (int y = w.y1(); y < w.y2(); y++) {
        for (int x = w.x1(); x < w.x2(); x++) {
          count[y * width + x]++;
        }
      }
    }
    return count;
  }
}

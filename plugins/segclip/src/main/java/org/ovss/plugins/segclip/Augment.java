package org.ovss.plugins.segclip;

import java.util.Random;

/**
 * The training view of an image and its superpixels: the official {@code RandomResizedCropCoord(size,
 * scale=(0.5, 1.0))} box, the image resampled into it, and the superpixel label map cropped with the same
 * box, resized with nearest neighbours and reduced to one id per patch ({@code
 * get_felzenszwalb_from_cache}).
 */
final class Augment {
  private Augment() {}

  /** A crop box in source pixels. */
  record Box(int top, int left, int height, int width) {}

  /**
   * torchvision's {@code RandomResizedCrop.get_params}: up to ten draws of an area share in {@code
   * [minScale, maxScale]} and a log-uniform aspect ratio in [3/4, 4/3], else the central crop of the
   * clamped aspect ratio.
   */
  static Box randomResizedCrop(Random random, int height, int width, double minScale, double maxScale) {
    double area = (double) height * width;
    double logLo = Math.log(3.0 / 4.0);
    double logHi = Math.log(4.0 / 3.0);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = (minScale + random.nextDouble() * (maxScale - minScale)) * area;
      double ratio = Math.exp(logLo + random.nextDouble() * (logHi - logLo));
      int w = (int) Math.rint(Math.sqrt(target * ratio));
      int h = (int) Math.rint(Math.sqrt(target / ratio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = random.nextInt(height - h + 1);
        int left = random.nextInt(width - w + 1);
        return new Box(top, left, h, w);
      }
    }
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < 3.0 / 4.0) {
      h = (int) Math.rint(w / (3.0 / 4.0));
    } else if (inRatio > 4.0 / 3.0) {
      w = (int) Math.rint(h * (4.0 / 3.0));
    }
    return new Box((height - h) / 2, (width - w) / 2, h, w);
  }

  /**
   * The box of a planar RGB image resampled bilinearly (half-pixel centres, no antialiasing) to {@code
   * size} x {@code size} and normalised with CLIP's mean and std into {@code out} at {@code offset}.
   */
  static void cropResizeNormalize(float[] rgb, int height, int width, Box box, int size, float[] mean, float[] std,
      float[] out, int offset) {
    int plane = height * width;
    float sy = (float) box.height() / size;
    float sx = (float) box.width() / size;
    for (int y = 0; y < size; y++) {
      float fy = Math.max((y + 0.5f) * sy - 0.5f, 0f);
      int y0 = Math.min((int) fy, box.height() - 1);
      int y1 = Math.min(y0 + 1, box.height() - 1);
      float ly = fy - y0;
      for (int x = 0; x < size; x++) {
        float fx = Math.max((x + 0.5f) * sx - 0.5f, 0f);
        int x0 = Math.min((int) fx, box.width() - 1);
        int x1 = Math.min(x0 + 1, box.width() - 1);
        float lx = fx - x0;
        int r0 = (box.top() + y0) * width + box.left();
        int r1 = (box.top() + y1) * width + box.left();
        for (int c = 0; c < 3; c++) {
          int base = c * plane;
          float top = (1 - lx) * rgb[base + r0 + x0] + lx * rgb[base + r0 + x1];
          float bottom = (1 - lx) * rgb[base + r1 + x0] + lx * rgb[base + r1 + x1];
          float v = (1 - ly) * top + ly * bottom;
          out[offset + c * size * size + y * size + x] = (v - mean[c]) / std[c];
        }
      }
    }
  }

  /**
   * One id per patch of the training view: the label map cropped to the box, resized to {@code size}
   * with {@code F.interpolate(mode='nearest')}, and the ids of each patch averaged and floored (a patch
   * straddling superpixels gets an in-between id, as in the official code).
   *
   * @return [(size / patch)^2] row-major
   */
  static long[] superPatches(int[] labels, int height, int width, Box box, int size, int patch) {
    int grid = size / patch;
    int[] rows = nearest(box.height(), size);
    int[] cols = nearest(box.width(), size);
    long[] sums = new long[grid * grid];
    for (int y = 0; y < grid * patch; y++) {
      int src = (box.top() + rows[y]) * width + box.left();
      for (int x = 0; x < grid * patch; x++) {
        sums[(y / patch) * grid + x / patch] += labels[src + cols[x]];
      }
    }
    long[] ids = new long[grid * grid];
    double count = (double) patch * patch;
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (long) Math.floor(sums[i] / count);
    }
    return ids;
  }

  /** PyTorch's nearest source index per output position: min(floor(o * in / out), in - 1). */
  private static int[] nearest(int in, int out) {
    int[] idx = new int[out];
    float scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      idx[o] = Math.min((int) Math.floor(o * scale), in - 1);
    }
    return idx;
  }
}

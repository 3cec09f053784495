package org.ovss.clip.train;

import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;

/** How the image-text training plugins draw a step's pairs. */
public final class BatchSampler {
  private BatchSampler() {}

  /**
   * {@code count} distinct indices of {@code [0, size)} in draw order, by a partial Fisher-Yates shuffle from
   * {@code random} ({@code count} calls of {@code nextInt}). A contrastive batch needs distinct pairs: a pair drawn
   * twice is a false negative of itself.
   *
   * @throws IllegalArgumentException if {@code count} exceeds {@code size}
   */
  public static int[] distinct(Random random, int size, int count) {
    if (count < 0 || count > size) {
      throw new IllegalArgumentException("cannot draw " + count + " distinct pairs out of " + size);
    }
    int[] pool = new int[size];
    for (int i = 0; i < size; i++) {
      pool[i] = i;
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(size - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      out[i] = pool[i];
    }
    return out;
  }

  /**
   * The planar RGB values of training image {@code index}, refused in one line if they do not fill 3 x height x width.
   */
  public static float[] image(ImageTextSource data, int index) {
    int h = data.imageHeight(index);
    int w = data.imageWidth(index);
    float[] rgb = data.image(index);
    if (rgb.length != 3 * h * w) {
      throw new InvalidInputException("training image " + index + " has " + rgb.length + " values, not 3 x " + h + " x " + w);
    }
    return rgb;
  }
}

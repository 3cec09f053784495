package org.ovss.clip.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;

/** How the image-text training plugins read their pairs and draw a step's batch. */
public final class BatchSampler {
  private BatchSampler() {}

  /** A training image: planar RGB values [3, height, width]. */
  public record Image(float[] rgb, int height, int width) {}

  /**
   * The generator of step {@code step} of a run seeded {@code seed}: the same (seed, step) draws the same batch,
   * augmentations and captions, so a resumed run continues exactly.
   */
  public static Random stepRandom(long seed, int step) {
    return new Random(stepSeed(seed, step));
  }

  /** The seed of {@link #stepRandom}: for a second stream of the same step that leaves the first one's draws alone. */
  public static long stepSeed(long seed, int step) {
    return seed * 0x9E3779B97F4A7C15L + step;
  }

  /** Every caption of {@code data}, image by image: the corpus of a tokenizer built from scratch. */
  public static List<String> allCaptions(ImageTextSource data) {
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      captions.addAll(data.captions(i));
    }
    return captions;
  }

  /** One caption of training image {@code index}, drawn from {@code random} (one {@code nextInt}). */
  public static String caption(Random random, ImageTextSource data, int index) {
    List<String> captions = data.captions(index);
    if (captions.isEmpty()) {
      throw new InvalidInputException("training image " + index + " has no caption");
    }
    return captions.get(random.nextInt(captions.size()));
  }

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

  /** Training image {@code index} with its size, refused in one line if its values do not fill 3 x height x width. */
  public static Image image(ImageTextSource data, int index) {
    int h = data.imageHeight(index);
    int w = data.imageWidth(index);
    float[] rgb = data.image(index);
    if (rgb.length != 3 * h * w) {
      throw new InvalidInputException("training image " + index + " has " + rgb.length + " values, not 3 x " + h + " x " + w);
    }
    return new Image(rgb, h, w);
  }

  /**
   * The planar RGB values of training image {@code index}, which must be {@code res} x {@code res}: the models that
   * train at their own resolution without resizing.
   */
  public static float[] squareImage(ImageTextSource data, int index, int res) {
    if (data.imageHeight(index) != res || data.imageWidth(index) != res) {
      throw new InvalidInputException("training image " + index + " is " + data.imageHeight(index) + "x"
          + data.imageWidth(index) + " but the model trains at " + res + "x" + res + " (set arch.image-size)");
    }
    return data.image(index);
  }
}

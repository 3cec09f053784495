package org.ovss.datasets.synth;

import org.ovss.api.InvalidInputException;

/**
 * What {@link SyntheticBenchmark#generate} writes: how many training image-caption pairs, how many val images, their
 * side length and the seed every image is derived from.
 *
 * @param train number of training images (each with captions and label maps)
 * @param val number of validation images
 * @param size side of the square images in pixels; shapes scale with it (about 20 to 60 px at 96)
 * @param seed the seed; together with the split and index it fixes every image
 */
public record SynthConfig(int train, int val, int size, long seed) {
  /** Below this the smallest shapes are a few pixels wide and no longer tell apart. */
  static final int MIN_SIZE = 48;
  /** Label maps and images are whole in memory per image; larger sizes are not what the benchmark is for. */
  static final int MAX_SIZE = 1024;
  /** Every image's captions line is held in memory until captions.jsonl is written in index order. */
  static final int MAX_IMAGES = 10_000_000;

  public SynthConfig {
    if (train < 0 || val < 0) {
      throw new InvalidInputException("synthetic benchmark sizes must be >= 0, not --train " + train + " --val " + val);
    }
    if ((long) train + val == 0) {
      throw new InvalidInputException("synthetic benchmark needs at least one image (--train and --val are both 0)");
    }
    if ((long) train + val > MAX_IMAGES) {
      throw new InvalidInputException("synthetic benchmark is limited to " + MAX_IMAGES + " images, not --train "
          + train + " + --val " + val);
    }
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new InvalidInputException("synthetic image size must lie in " + MIN_SIZE + ".." + MAX_SIZE + ", not "
          + size);
    }
  }

  /** The default benchmark: 20000 training pairs, 500 val images, 96x96 pixels, seed 0. */
  public static SynthConfig defaults() {
    return new SynthConfig(20_000, 500, 96, 0L);
  }
}

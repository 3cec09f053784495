package org.ovss.runner.image;

import org.ovss.nn.Bilinear;

/**
 * An RGB image as planar float values on the 0-255 scale, layout [3, height, width] row-major.
 *
 * @param pixels channel-major values, length 3 * height * width
 */
public record RgbImage(float[] pixels, int height, int width) {
  public RgbImage {
    if (height <= 0 || width <= 0 || pixels.length != 3L * height * width) {
      throw new IllegalArgumentException("image of " + height + "x" + width + " cannot hold " + pixels.length + " values");
    }
  }

  /** This image resized bilinearly to outH x outW (half-pixel centres, no antialiasing: {@link Bilinear#planar}). */
  public RgbImage resized(int outH, int outW) {
    return new RgbImage(Bilinear.planar(pixels, 3, height, width, outH, outW), outH, outW);
  }
}

package org.ovss.api;

/**
 * The image a post-processor refines scores for.
 *
 * @param height rows
 * @param width columns
 * @param rgb RGB values on the 0-255 scale, planar [3, height, width]
 * @param normalized the same image normalised as the method's input (mean/std), planar [3, height, width]
 */
public record ImageContext(int height, int width, float[] rgb, float[] normalized) {
  public ImageContext {
    long n = 3L * height * width;
    if (height <= 0 || width <= 0 || rgb.length != n || normalized.length != n) {
      throw new IllegalArgumentException("image context of " + height + "x" + width + " needs 3 planes of that size");
    }
  }
}

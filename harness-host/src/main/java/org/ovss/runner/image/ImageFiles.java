package org.ovss.runner.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import org.ovss.datasets.ImageDecoding;

/** Decodes JPEG/PNG files to {@link RgbImage}, refusing broken or oversized files with a clear message. */
public final class ImageFiles {
  private ImageFiles() {}

  /** Decodes {@code file} with {@link ImageDecoding}'s checks (size cap before decoding, truncation, format). */
  public static RgbImage read(Path file) {
    return toRgb(ImageDecoding.read(file, "image"));
  }

  /**
   * Converts a decoded image to planar RGB as {@code cv2.imread(IMREAD_COLOR)} does: grey images copy
   * their value into the three channels (Java's colour conversion would apply a gamma curve, since it
   * treats grey as linear; also with an alpha band), 16-bit values are scaled down by 256, palettes are
   * looked up and alpha is dropped.
   */
  public static RgbImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    boolean greyModel = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    if (greyModel && !(image.getColorModel() instanceof IndexColorModel)) {
      // band 0 is the grey value; a second band (grey + alpha) is dropped like any alpha
      int[] grey = image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
      int shift = image.getColorModel().getComponentSize(0) > 8 ? 8 : 0;
      float[] px = new float[3 * plane];
      for (int i = 0; i < plane; i++) {
        float v = grey[i] >> shift;
        px[i] = v;
        px[plane + i] = v;
        px[2 * plane + i] = v;
      }
      return new RgbImage(px, h, w);
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    float[] px = new float[3 * w * h];
    for (int i = 0; i < plane; i++) {
      int v = argb[i];
      px[i] = (v >> 16) & 0xff;
      px[plane + i] = (v >> 8) & 0xff;
      px[2 * plane + i] = v & 0xff;
    }
    return new RgbImage(px, h, w);
  }
}

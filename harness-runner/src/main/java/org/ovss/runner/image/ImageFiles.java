package org.ovss.runner.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.ovss.api.InvalidInputException;

/** Decodes JPEG/PNG files to {@link RgbImage}, refusing broken or oversized files with a clear message. */
public final class ImageFiles {
  /** Larger images are refused before decoding (a decompression bomb would exhaust memory). */
  public static final long MAX_PIXELS = 100_000_000L;

  private ImageFiles() {}

  public static RgbImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("image " + file + " does not exist or is not a file");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new InvalidInputException("image " + file + " cannot be opened");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidInputException("image " + file + " is not in a supported format (JPEG, PNG, BMP, GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new InvalidInputException("image " + file + " has no pixels (" + w + "x" + h + ")");
        }
        if (w * h > MAX_PIXELS) {
          throw new InvalidInputException("image " + file + " is " + w + "x" + h + ", above the limit of " + MAX_PIXELS + " pixels");
        }
        BufferedImage image = reader.read(0);
        return toRgb(image);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidInputException invalid) {
        throw invalid;
      }
      throw new InvalidInputException("image " + file + " cannot be decoded: " + e.getMessage(), e);
    }
  }

  /**
   * Converts a decoded image to planar RGB as {@code cv2.imread(IMREAD_COLOR)} does: grey images copy
   * their value into the three channels (Java's colour conversion would apply a gamma curve, since it
   * treats grey as linear), 16-bit values are scaled down by 256, palettes are looked up and alpha is
   * dropped.
   */
  public static RgbImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    if (image.getRaster().getNumBands() == 1 && !(image.getColorModel() instanceof IndexColorModel)) {
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

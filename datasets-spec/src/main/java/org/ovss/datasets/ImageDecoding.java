package org.ovss.datasets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.ovss.api.InvalidInputException;

/**
 * Decodes an image file (images and label maps alike) with the checks a file from a stranger needs: the
 * dimensions are read from the header and refused above {@link #MAX_PIXELS} before any pixel memory is allocated
 * (a decompression bomb of a few bytes can announce gigapixels), empty and zero-sized files are refused, and a
 * decoder warning (a truncated JPEG decodes "successfully" into grey with only a warning) is an error.
 */
public final class ImageDecoding {
  /**
   * Largest accepted width x height, 50 megapixels unless the system property {@code ovss.image.max-pixels} says
   * otherwise: above every benchmark image (the largest ADE20K images have about 12 Mpx), and a bound on what
   * one image may cost (its float RGB copy alone takes 12 bytes a pixel).
   */
  public static final long MAX_PIXELS = Long.getLong("ovss.image.max-pixels", 50_000_000L);

  private ImageDecoding() {}

  /**
   * The decoded image.
   *
   * @param what what the file is, for messages ("image", "label map")
   * @throws InvalidInputException naming the file and the problem
   */
  public static BufferedImage read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(what + " " + file + " does not exist or is not a file");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new InvalidInputException("cannot decode " + what + " " + file + ": it cannot be opened");
      }
      if (in.length() == 0) {
        throw new InvalidInputException("cannot decode " + what + " " + file + ": the file is empty");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidInputException("cannot decode " + what + " " + file
            + ": not in a supported format (JPEG, PNG, BMP, GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new InvalidInputException(what + " " + file + " has no pixels (" + w + "x" + h + ")");
        }
        if (w * h > MAX_PIXELS) {
          throw new InvalidInputException(what + " " + file + " is " + w + "x" + h + ", above the limit of " + MAX_PIXELS
              + " pixels (refused before decoding; -Dovss.image.max-pixels=N raises it)");
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new InvalidInputException("cannot decode " + what + " " + file + ": it is truncated or damaged ("
              + String.join("; ", warnings) + ")");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw failure(e, what, file);
    }
  }

  /**
   * The size of an image from its header alone, {@code {height, width}}, without decoding its pixels.
   *
   * @param what what the file is, for messages ("image", "label map")
   * @throws InvalidInputException naming the file when it cannot be opened or has no supported header
   */
  public static int[] size(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(what + " " + file + " does not exist or is not a file");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new InvalidInputException("cannot decode " + what + " " + file
            + ": not in a supported format (JPEG, PNG, BMP, GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getHeight(0), reader.getWidth(0)};
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw failure(e, what, file);
    }
  }

  /**
   * The one-line error for a file that failed to decode: our own refusals as they are, the image reader's errors
   * explained. The JDK's decoders answer some damaged files with unchecked exceptions (array bounds, negative sizes).
   */
  private static InvalidInputException failure(Exception e, String what, Path file) {
    if (e instanceof InvalidInputException invalid) {
      return invalid;
    }
    String reason = e instanceof IIOException iio ? explain(iio) : e.toString();
    return new InvalidInputException("cannot decode " + what + " " + file + ": " + reason, e);
  }

  private static String explain(IIOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Unsupported Image Type")) {
      return m + " (a CMYK or YCCK JPEG? convert it to RGB)";
    }
    return m;
  }
}

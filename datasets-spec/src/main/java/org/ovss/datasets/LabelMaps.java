package org.ovss.datasets;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.ovss.api.InvalidInputException;

/**
 * Reads ground-truth label maps the way mmseg's {@code LoadAnnotations} does and writes predictions as palette PNGs.
 *
 * <p>Label maps hold one class index per pixel. VOC and Context ship them as palette (indexed) PNGs whose colours are
 * only for display: the index is the label, so indices are read from the raster, never through the colour model
 * (mmseg decodes with {@code flag='unchanged'}). COCO, ADE20K and Cityscapes ship 8-bit greyscale PNGs.
 */
public final class LabelMaps {

  private LabelMaps() {}

  /**
   * Reads a label map and applies the dataset's label rules.
   *
   * <p>With {@code reduceZeroLabel} the values change exactly as in mmseg
   * ({@code mmseg/datasets/transforms/loading.py} {@code LoadAnnotations._load_seg_map} on a uint8 map:
   * {@code gt[gt==0]=255; gt=gt-1; gt[gt==254]=255}): 0 becomes 255, k becomes k-1, and 255 stays 255.
   *
   * @param png an indexed or greyscale PNG (8-bit, or 16-bit whose values fit in 8 bits)
   * @param expectedHeight height of the image the labels belong to
   * @param expectedWidth width of the image the labels belong to
   * @return the labels, row-major {@code [H * W]}, each a class index below {@code spec.classCount()} or the ignore index
   * @throws InvalidInputException naming the file when it cannot be decoded, is a colour image, has another size than
   *     the image, or holds a value that is neither a class nor the ignore index
   */
  public static int[] read(Path png, DatasetSpec spec, int expectedHeight, int expectedWidth) {
    Indices raw = readIndices(png);
    if (raw.height() != expectedHeight || raw.width() != expectedWidth) {
      throw new InvalidInputException("label map " + png + " is " + raw.height() + " x " + raw.width()
          + " (height x width) but its image is " + expectedHeight + " x " + expectedWidth);
    }
    int[] labels = raw.values();
    int classes = spec.classCount();
    int ignore = spec.ignoreIndex();
    boolean reduce = spec.reduceZeroLabel();
    int firstBad = -1;
    int badCount = 0;
    for (int i = 0; i < labels.length; i++) {
      int v = labels[i];
      if (reduce) {
        v = (v == 0 ? 255 : v) - 1;
        if (v == 254) {
          v = 255;
        }
      }
      if (v >= classes && v != ignore) {
        if (firstBad < 0) {
          firstBad = i;
        }
        badCount++;
      }
      labels[i] = v;
    }
    if (firstBad >= 0) {
      int row = firstBad / raw.width();
      int col = firstBad % raw.width();
      // An out-of-range reduced value v can only come from a stored v + 1 (0 and 255 both reduce to 255).
      throw new InvalidInputException("label map " + png + " has value " + labels[firstBad]
          + (reduce ? " (stored " + (labels[firstBad] + 1) + ", after reduce_zero_label)" : "") + " at row " + row + ", column " + col
          + " (" + badCount + " such pixel(s)); dataset '" + spec.name() + "' has classes 0.." + (classes - 1)
          + " and ignore index " + ignore + ". Is this the label map of another dataset, or an unconverted one?");
    }
    return labels;
  }

  /**
   * Writes labels as an 8-bit indexed PNG whose colours are {@code palette}; value 255 (ignore) is drawn black unless
   * the palette has an entry 255. The file appears atomically (written beside it, then renamed), so a reader never
   * sees half a PNG; missing parent folders are created.
   *
   * @param labels row-major {@code [height * width]} values in {@code 0..palette.length-1} or 255
   * @param palette one {@code [r, g, b]} per class, at most 256
   */
  public static void writePalettePng(Path file, int[] labels, int height, int width, int[][] palette) {
    checkShape(labels, height, width);
    if (palette.length == 0 || palette.length > 256) {
      throw new IllegalArgumentException("palette must have 1..256 entries, not " + palette.length);
    }
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int k = 0; k < palette.length; k++) {
      r[k] = (byte) palette[k][0];
      g[k] = (byte) palette[k][1];
      b[k] = (byte) palette[k][2];
    }
    for (int i = 0; i < labels.length; i++) {
      int v = labels[i];
      if ((v < 0 || v >= palette.length) && v != 255) {
        throw new IllegalArgumentException("label " + v + " at index " + i + " of " + file + " is outside 0.."
            + (palette.length - 1) + " and not 255");
      }
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 256, r, g, b));
    image.getRaster().setSamples(0, 0, width, height, 0, labels);
    writePng(file, image);
  }

  /** Writes 8-bit greyscale labels (the format of the COCO and ADE20K label maps), atomically. */
  static void writeGreyPng(Path file, int[] labels, int height, int width) {
    checkShape(labels, height, width);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSamples(0, 0, width, height, 0, labels);
    writePng(file, image);
  }

  /** The raw per-pixel values of a label PNG: palette indices or grey levels, before any label rule. */
  static Indices readIndices(Path png) {
    BufferedImage image = ImageDecoding.read(png, "label map");
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    boolean indexed = cm instanceof IndexColorModel;
    boolean grey = raster.getNumBands() == 1 && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    if (!indexed && !grey) {
      throw new InvalidInputException("label map " + png + " has " + raster.getNumBands()
          + " channels (a colour or alpha image); label maps must be indexed (palette) or greyscale PNGs whose pixel values are class indices,"
          + " not colour-coded masks");
    }
    int w = image.getWidth();
    int h = image.getHeight();
    int[] values = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
    // mmseg casts label maps to uint8; a 16-bit map is only meaningful if that cast loses nothing.
    for (int i = 0; i < values.length; i++) {
      if (values[i] > 255) {
        throw new InvalidInputException("label map " + png + " has value " + values[i] + " at row " + (i / w)
            + ", column " + (i % w) + "; label values must fit in 8 bits (0..255)");
      }
    }
    return new Indices(h, w, values);
  }

  /**
   * Raw values of a label map.
   *
   * @param values row-major {@code [height * width]}; callers may overwrite them
   */
  record Indices(int height, int width, int[] values) {}

  private static void checkShape(int[] labels, int height, int width) {
    if (height <= 0 || width <= 0 || (long) height * width != labels.length) {
      throw new IllegalArgumentException(labels.length + " labels do not make a " + height + " x " + width + " map");
    }
  }

  private static void writePng(Path file, RenderedImage image) {
    try {
      // Encode in memory: ImageIO's stream cache would otherwise add a temp file per PNG in java.io.tmpdir.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        if (!ImageIO.write(image, "png", out)) {
          throw new IllegalStateException("no PNG writer for " + image);
        }
      }
      AtomicFiles.write(file, bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

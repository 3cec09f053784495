package org.ovss.datasets;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes the small images and label maps the tests build their dataset layouts from. */
final class TestImages {
  private TestImages() {}

  static void jpeg(Path file, int height, int width) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0x336699);
    write(image, "jpg", file);
  }

  static void rgbPng(Path file, int height, int width) {
    write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", file);
  }

  /** A palette PNG like VOC's SegmentationClass: pixel = index; colours from {@code palette}, the rest black. */
  static void indexedPng(Path file, int[] values, int height, int width, int[][] palette) {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int k = 0; k < palette.length; k++) {
      r[k] = (byte) palette[k][0];
      g[k] = (byte) palette[k][1];
      b[k] = (byte) palette[k][2];
    }
    // VOC draws its 255 boundary in a light colour; a non-black 255 shows the reader ignores colours.
    r[255] = (byte) 224;
    g[255] = (byte) 224;
    b[255] = (byte) 192;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 256, r, g, b));
    image.getRaster().setSamples(0, 0, width, height, 0, values);
    write(image, "png", file);
  }

  static void greyPng(Path file, int[] values, int height, int width, boolean sixteenBit) {
    BufferedImage image = new BufferedImage(width, height,
        sixteenBit ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSamples(0, 0, width, height, 0, values);
    write(image, "png", file);
  }

  /**
   * A PNG that announces {@code width x height} pixels in a valid IHDR chunk but holds no pixel data: what a
   * decompression bomb looks like to a reader that only checks the header.
   */
  static Path pngHeaderOnly(Path file, int width, int height) throws IOException {
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(ihdr.array());
    java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array())
        .putInt((int) crc.getValue()).putInt(0).put("IEND".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .putInt(0xAE426082);
    return Files.write(file, png.array());
  }

  private static void write(BufferedImage image, String format, Path file) {
    try {
      Files.createDirectories(file.getParent());
      if (!ImageIO.write(image, format, file.toFile())) {
        throw new IllegalStateException("no " + format + " writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.ovss.datasets.synth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG encoder for the two kinds of file the benchmark writes: 8-bit RGB images and 8-bit palette label
 * maps. Written by hand rather than through ImageIO so that the bytes depend on nothing but the pixels and the JDK's
 * zlib (the determinism tests compare files), and so that the tens of thousands of small files deflate at the
 * fastest level.
 *
 * <p>One instance per thread: it reuses its {@link Deflater}. {@link #close()} frees the deflater's native memory.
 */
final class PngEncoder implements AutoCloseable {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int COLOUR_TYPE_RGB = 2;
  private static final int COLOUR_TYPE_PALETTE = 3;
  private static final int FILTER_NONE = 0;
  /** PNG's "Sub" filter: the textures are smooth along rows, so left differences deflate better than raw bytes. */
  private static final int FILTER_SUB = 1;

  /** Higher levels shrink the noisy textures by under 5% at two to three times the cost. */
  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
  private final CRC32 crc = new CRC32();
  private final byte[] buffer = new byte[1 << 16];

  /** A PNG of interleaved 8-bit RGB pixels, row-major. */
  byte[] rgb(int width, int height, byte[] pixels) {
    int stride = 3 * width;
    byte[] raw = new byte[height * (stride + 1)];
    for (int y = 0; y < height; y++) {
      int row = y * (stride + 1);
      raw[row] = FILTER_SUB;
      for (int i = 0; i < stride; i++) {
        int left = i >= 3 ? pixels[y * stride + i - 3] : 0;
        raw[row + 1 + i] = (byte) (pixels[y * stride + i] - left);
      }
    }
    return png(width, height, COLOUR_TYPE_RGB, null, raw);
  }

  /** A palette PNG of 8-bit indices, row-major; {@code palette} holds 3 bytes per entry. */
  byte[] indexed(int width, int height, byte[] indices, byte[] palette) {
    byte[] raw = new byte[height * (width + 1)];
    for (int y = 0; y < height; y++) {
      raw[y * (width + 1)] = FILTER_NONE;
      System.arraycopy(indices, y * width, raw, y * (width + 1) + 1, width);
    }
    return png(width, height, COLOUR_TYPE_PALETTE, palette, raw);
  }

  private byte[] png(int width, int height, int colourType, byte[] palette, byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 256);
    out.writeBytes(SIGNATURE);
    byte[] header = new byte[13];
    putInt(header, 0, width);
    putInt(header, 4, height);
    header[8] = 8; // bit depth
    header[9] = (byte) colourType;
    // bytes 10..12: deflate compression, adaptive filtering, no interlace (all 0)
    chunk(out, "IHDR", header);
    if (palette != null) {
      chunk(out, "PLTE", palette);
    }
    chunk(out, "IDAT", deflate(raw));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private byte[] deflate(byte[] raw) {
    deflater.reset();
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
    while (!deflater.finished()) {
      int n = deflater.deflate(buffer);
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    byte[] length = new byte[4];
    putInt(length, 0, data.length);
    out.writeBytes(length);
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    crc.reset();
    crc.update(typeBytes);
    crc.update(data);
    byte[] checksum = new byte[4];
    putInt(checksum, 0, (int) crc.getValue());
    out.writeBytes(checksum);
  }

  private static void putInt(byte[] bytes, int at, int value) {
    bytes[at] = (byte) (value >>> 24);
    bytes[at + 1] = (byte) (value >>> 16);
    bytes[at + 2] = (byte) (value >>> 8);
    bytes[at + 3] = (byte) value;
  }

  @Override
  public void close() {
    deflater.end();
  }
}

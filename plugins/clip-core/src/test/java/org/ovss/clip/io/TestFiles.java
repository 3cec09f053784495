package org.ovss.clip.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.ovss.fixtures.Fixtures;

/** Builders for the test files, and the location of the parity fixtures. */
final class TestFiles {
  private TestFiles() {}

  /** The clip-tiny parity fixtures (or the set of {@code -Dovss.parity.dir}). */
  static Path parityDir() {
    return Fixtures.parityDir("clip-tiny");
  }

  /** A safetensors file whose header is {@code header} and whose data section has the bytes. */
  static Path safetensors(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return raw(file, h.length, h, data);
  }

  /** A file starting with the given header length, then the header and data bytes. */
  static Path raw(Path file, long headerLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length);
    b.order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(header).put(data);
    return Files.write(file, b.array());
  }

  static byte[] floatsLe(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static byte[] longsLe(long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return b.array();
  }

  static byte[] shortsLe(int... values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  /**
   * A torch zip archive: {@code <prefix>/data.pkl} (deflated, as a repacking tool might leave it),
   * {@code <prefix>/version}, and each storage as {@code <prefix>/data/<key>}, stored uncompressed
   * as torch writes them.
   */
  static Path torchArchive(Path file, String prefix, byte[] pickle, Map<String, byte[]> storages)
      throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry(prefix + "/data.pkl"));
      zip.write(pickle);
      zip.closeEntry();
      stored(zip, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      for (Map.Entry<String, byte[]> s : storages.entrySet()) {
        stored(zip, prefix + "/data/" + s.getKey(), s.getValue());
      }
    }
    return file;
  }

  private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(content);
    zip.closeEntry();
  }
}

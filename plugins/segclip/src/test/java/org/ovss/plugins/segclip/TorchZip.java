package org.ovss.plugins.segclip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a float32 state dict the way {@code torch.save(model.state_dict(), f)} does (torch >= 1.6 zip
 * format, pickle protocol 2, an OrderedDict of {@code _rebuild_tensor_v2} tensors over one storage each),
 * which is what the released {@code segclip.bin} is.
 */
final class TorchZip {
  private TorchZip() {}

  static void write(Path file, Map<String, float[]> values, Map<String, long[]> shapes) throws IOException {
    ByteArrayOutputStream pkl = new ByteArrayOutputStream();
    pkl.write(0x80);
    pkl.write(2); // PROTO 2
    global(pkl, "collections", "OrderedDict");
    pkl.write(')'); // EMPTY_TUPLE
    pkl.write('R'); // REDUCE
    pkl.write('('); // MARK
    int key = 0;
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      string(pkl, e.getKey());
      long[] shape = shapes.get(e.getKey());
      global(pkl, "torch._utils", "_rebuild_tensor_v2");
      pkl.write('(');
      pkl.write('(');
      string(pkl, "storage");
      global(pkl, "torch", "FloatStorage");
      string(pkl, Integer.toString(key++));
      string(pkl, "cpu");
      integer(pkl, e.getValue().length);
      pkl.write('t');
      pkl.write('Q'); // BINPERSID
      integer(pkl, 0);
      ints(pkl, shape);
      long[] stride = new long[shape.length];
      long n = 1;
      for (int d = shape.length - 1; d >= 0; d--) {
        stride[d] = n;
        n *= shape[d];
      }
      ints(pkl, stride);
      pkl.write(0x89); // NEWFALSE
      global(pkl, "collections", "OrderedDict");
      pkl.write(')');
      pkl.write('R');
      pkl.write('t');
      pkl.write('R');
    }
    pkl.write('u'); // SETITEMS
    pkl.write('.'); // STOP
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      entry(zip, "archive/data.pkl", pkl.toByteArray());
      entry(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      key = 0;
      for (float[] v : values.values()) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        entry(zip, "archive/data/" + key++, b.array());
      }
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  private static void global(ByteArrayOutputStream out, String module, String name) {
    out.write('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write('X'); // BINUNICODE
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
    out.writeBytes(b);
  }

  private static void integer(ByteArrayOutputStream out, long v) {
    out.write('J'); // BININT
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
  }

  private static void ints(ByteArrayOutputStream out, long[] values) {
    out.write('(');
    for (long v : values) {
      integer(out, v);
    }
    out.write('t');
  }
}

package org.ovss.clip.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One protocol-buffers message in the wire format (varint, 32-bit and length-delimited fields), enough for
 * ONNX's messages. Sizes are computed before writing, so a model of hundreds of megabytes streams to its file
 * without a second copy: a float block is kept as the array it came from and written little-endian on output.
 */
final class ProtoMessage {
  private static final int VARINT = 0;
  private static final int FIXED32 = 5;
  private static final int LENGTH_DELIMITED = 2;

  private interface Field {
    long size();

    void write(OutputStream out) throws IOException;
  }

  private final List<Field> fields = new ArrayList<>();

  ProtoMessage varint(int number, long value) {
    fields.add(new Field() {
      @Override
      public long size() {
        return tagSize(number, VARINT) + varintSize(value);
      }

      @Override
      public void write(OutputStream out) throws IOException {
        writeTag(out, number, VARINT);
        writeVarint(out, value);
      }
    });
    return this;
  }

  ProtoMessage float32(int number, float value) {
    fields.add(new Field() {
      @Override
      public long size() {
        return tagSize(number, FIXED32) + 4;
      }

      @Override
      public void write(OutputStream out) throws IOException {
        writeTag(out, number, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
          out.write(bits >>> (8 * i));
        }
      }
    });
    return this;
  }

  ProtoMessage string(int number, String value) {
    return bytes(number, value.getBytes(StandardCharsets.UTF_8));
  }

  ProtoMessage bytes(int number, byte[] value) {
    return delimited(number, value.length, out -> out.write(value));
  }

  /** Float32 values as raw little-endian bytes (TensorProto.raw_data). */
  ProtoMessage floatsRaw(int number, float[] values) {
    return delimited(number, 4L * values.length, out -> {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        if (buf.remaining() < 4) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putFloat(v);
      }
      out.write(buf.array(), 0, buf.position());
    });
  }

  /** A packed repeated int64 field. */
  ProtoMessage packedInt64(int number, long[] values) {
    long n = 0;
    for (long v : values) {
      n += varintSize(v);
    }
    return delimited(number, n, out -> {
      for (long v : values) {
        writeVarint(out, v);
      }
    });
  }

  ProtoMessage message(int number, ProtoMessage value) {
    return delimited(number, value.size(), value::writeTo);
  }

  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  private ProtoMessage delimited(int number, long length, Body body) {
    fields.add(new Field() {
      @Override
      public long size() {
        return tagSize(number, LENGTH_DELIMITED) + varintSize(length) + length;
      }

      @Override
      public void write(OutputStream out) throws IOException {
        writeTag(out, number, LENGTH_DELIMITED);
        writeVarint(out, length);
        body.write(out);
      }
    });
    return this;
  }

  long size() {
    long n = 0;
    for (Field f : fields) {
      n += f.size();
    }
    return n;
  }

  void writeTo(OutputStream out) throws IOException {
    for (Field f : fields) {
      f.write(out);
    }
  }

  private static int tagSize(int number, int wireType) {
    return varintSize(((long) number << 3) | wireType);
  }

  private static void writeTag(OutputStream out, int number, int wireType) throws IOException {
    writeVarint(out, ((long) number << 3) | wireType);
  }

  /** Bytes of a varint; negative values take ten, as protobuf encodes an int64. */
  static int varintSize(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  static void writeVarint(OutputStream out, long value) throws IOException {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}

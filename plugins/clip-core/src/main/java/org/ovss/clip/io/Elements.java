package org.ovss.clip.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/** Decoding of little-endian tensor bytes into Java arrays, shared by the readers. */
final class Elements {

  /** Bounded so that reading a huge tensor needs only its output array plus this much. */
  private static final int CHUNK_BYTES = 1 << 20;

  private Elements() {}

  /** Something bytes can be read from sequentially; {@code read} returns -1 at the end. */
  @FunctionalInterface
  interface ByteSource {
    int read(ByteBuffer dst) throws IOException;
  }

  /** Reads until {@code dst} is full or the source ends; returns whether it is full. */
  static boolean fill(ByteSource src, ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      if (src.read(dst) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The element count as an array length, or an error naming the tensor if it is too many. */
  /** Refuses a buffer without room for {@code n} more elements. */
  static void requireRoom(Path file, String name, FloatBuffer out, int n) {
    if (out.remaining() < n) {
      throw new IllegalArgumentException("tensor '" + name + "' of " + file + " has " + n + " elements, the buffer room"
          + " for " + out.remaining());
    }
  }

  static int arrayLength(Path file, TensorInfo info) {
    long n = info.numel();
    if (n > Integer.MAX_VALUE) {
      throw new TensorFormatException(
          file, info.name(), n + " elements are too many for one Java array");
    }
    return (int) n;
  }

  static void requireInteger(Path file, TensorInfo info) {
    if (!info.dtype().isInteger()) {
      throw new TensorFormatException(
          file, info.name(), "has floating-point dtype " + info.dtype() + ", not an integer one");
    }
  }

  /**
   * Reads {@code count} consecutive elements from {@code src}.
   *
   * @throws EOFException if the source ends first
   */
  static float[] readFloats(ByteSource src, TensorDType dtype, int count) throws IOException {
    float[] out = new float[count];
    readFloats(src, dtype, count, FloatBuffer.wrap(out));
    return out;
  }

  /**
   * Reads {@code count} consecutive elements from {@code src} into {@code out} from its position on (absolute puts:
   * the position does not move); a direct buffer takes them without any array on the heap.
   *
   * @throws EOFException if the source ends first
   */
  static void readFloats(ByteSource src, TensorDType dtype, int count, FloatBuffer out) throws IOException {
    int base = out.position();
    stream(src, dtype, count, (buf, off, n) -> decodeFloats(buf, dtype, out, base + off, n));
  }

  /**
   * Reads {@code count} consecutive elements of an integer dtype from {@code src}.
   *
   * @throws EOFException if the source ends first
   */
  static long[] readLongs(ByteSource src, TensorDType dtype, int count) throws IOException {
    long[] out = new long[count];
    stream(src, dtype, count, (buf, off, n) -> decodeLongs(buf, dtype, out, off, n));
    return out;
  }

  @FunctionalInterface
  private interface ChunkDecoder {
    void decode(ByteBuffer chunk, int outOffset, int count);
  }

  private static void stream(ByteSource src, TensorDType dtype, int count, ChunkDecoder decoder)
      throws IOException {
    int size = dtype.byteSize();
    // CHUNK_BYTES is a multiple of every element size, so chunks never split an element.
    int capacity = (int) Math.min(CHUNK_BYTES, (long) count * size);
    ByteBuffer buf = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, capacity / size);
      buf.clear().limit(n * size);
      if (!fill(src, buf)) {
        throw new EOFException("data ends " + buf.remaining() + " bytes early");
      }
      buf.flip();
      decoder.decode(buf, done, n);
      done += n;
    }
  }

  private static void decodeFloats(ByteBuffer buf, TensorDType dtype, FloatBuffer out, int off, int n) {
    if (dtype == TensorDType.F32) {
      out.put(off, buf.asFloatBuffer(), 0, n);
      return;
    }
    int size = dtype.byteSize();
    for (int i = 0; i < n; i++) {
      out.put(off + i, floatAt(buf, dtype, i * size));
    }
  }

  private static void decodeLongs(ByteBuffer buf, TensorDType dtype, long[] out, int off, int n) {
    if (dtype == TensorDType.I64) {
      buf.asLongBuffer().get(out, off, n);
      return;
    }
    int size = dtype.byteSize();
    for (int i = 0; i < n; i++) {
      out[off + i] = longAt(buf, dtype, i * size);
    }
  }

  /** The element at byte index {@code at} of a little-endian buffer, as a float. */
  static float floatAt(ByteBuffer buf, TensorDType dtype, int at) {
    return switch (dtype) {
      case F64 -> (float) buf.getDouble(at);
      case F32 -> buf.getFloat(at);
      case F16 -> halfToFloat(buf.getShort(at));
      case BF16 -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
      default -> longAt(buf, dtype, at);
    };
  }

  /** The element at byte index {@code at} of a little-endian buffer of an integer dtype. */
  static long longAt(ByteBuffer buf, TensorDType dtype, int at) {
    return switch (dtype) {
      case I64 -> buf.getLong(at);
      case I32 -> buf.getInt(at);
      case I16 -> buf.getShort(at);
      case I8 -> buf.get(at);
      case U8 -> buf.get(at) & 0xff;
      case BOOL -> buf.get(at) != 0 ? 1 : 0;
      default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
    };
  }

  /**
   * IEEE 754 binary16 to binary32; exact for every input, since float32 has a wider exponent and
   * mantissa. NaN payloads are kept. (Java 17 lacks {@code Float.float16ToFloat}.)
   */
  static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // zero or subnormal: mantissa * 2^-24, which a float holds exactly
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }
}

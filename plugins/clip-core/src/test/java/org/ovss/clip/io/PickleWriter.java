package org.ovss.clip.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-assembles pickle byte streams the way torch.save and torch.jit.save emit them. */
final class PickleWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleWriter op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleWriter proto(int version) {
    return op(0x80).op(version);
  }

  PickleWriter global(String module, String name) {
    op('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** BINUNICODE. */
  PickleWriter str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    le(b.length, 4);
    out.writeBytes(b);
    return this;
  }

  /** SHORT_BINUNICODE (protocol 4). */
  PickleWriter shortStr(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op(0x8c).op(b.length);
    out.writeBytes(b);
    return this;
  }

  /** The shortest int opcode for {@code v}, as pickle picks it. */
  PickleWriter integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K').op((int) v);
    }
    if (v >= 0 && v < 65536) {
      op('M');
      return le(v, 2);
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      op('J');
      return le(v, 4);
    }
    op(0x8a).op(8);
    return le(v, 8);
  }

  PickleWriter mark() {
    return op('(');
  }

  PickleWriter tuple() {
    return op('t');
  }

  PickleWriter emptyTuple() {
    return op(')');
  }

  PickleWriter emptyDict() {
    return op('}');
  }

  PickleWriter setItem() {
    return op('s');
  }

  PickleWriter setItems() {
    return op('u');
  }

  PickleWriter reduce() {
    return op('R');
  }

  PickleWriter build() {
    return op('b');
  }

  PickleWriter binput(int i) {
    return op('q').op(i);
  }

  PickleWriter binget(int i) {
    return op('h').op(i);
  }

  PickleWriter stop() {
    return op('.');
  }

  /** A tuple of ints. */
  PickleWriter ints(long... values) {
    mark();
    for (long v : values) {
      integer(v);
    }
    return tuple();
  }

  /** BINPERSID of ('storage', torch.<type>, key, 'cpu', numel). */
  PickleWriter storage(String storageType, String key, long numel) {
    mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple();
    return op('Q');
  }

  /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
  PickleWriter tensor(
      String storageType, String key, long storageNumel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    storage(storageType, key, storageNumel).integer(offset).ints(size).ints(stride).op(0x89);
    global("collections", "OrderedDict").emptyTuple().reduce();
    return tuple().reduce();
  }

  /** A C-contiguous F32 tensor filling storage {@code key}. */
  PickleWriter floatTensor(String key, long... size) {
    long[] stride = new long[size.length];
    long n = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      stride[d] = n;
      n *= size[d];
    }
    return tensor("FloatStorage", key, n, 0, size, stride);
  }

  private PickleWriter le(long v, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    out.write(b.array(), 0, bytes);
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}

package org.ovss.clip.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an ONNX model (onnx.proto's ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
 * AttributeProto and the opset imports) node by node and writes it in the protobuf wire format. Names of
 * intermediate values are generated; each node method returns the name of its output.
 */
final class OnnxGraph {
  /** TensorProto.DataType values. */
  static final int FLOAT = 1;
  static final int INT8 = 3;
  static final int INT32 = 6;
  static final int INT64 = 7;

  /** ONNX IR version 8 (ONNX 1.10+), with the default domain at opset 17 (LayerNormalization). */
  static final long IR_VERSION = 8;
  static final long OPSET = 17;

  private final String name;
  private final List<ProtoMessage> nodes = new ArrayList<>();
  private final List<ProtoMessage> initializers = new ArrayList<>();
  private final List<ProtoMessage> inputs = new ArrayList<>();
  private final List<ProtoMessage> outputs = new ArrayList<>();
  private int counter;

  OnnxGraph(String name) {
    this.name = name;
  }

  /** A node attribute. */
  record Attr(String name, Object value) {
    static Attr of(String name, long value) {
      return new Attr(name, value);
    }

    static Attr of(String name, float value) {
      return new Attr(name, value);
    }

    static Attr ints(String name, long... values) {
      return new Attr(name, values);
    }

    ProtoMessage proto() {
      ProtoMessage a = new ProtoMessage().string(1, name);
      if (value instanceof Long l) {
        a.varint(3, l).varint(20, 2);
      } else if (value instanceof Float f) {
        a.float32(2, f).varint(20, 1);
      } else if (value instanceof long[] ls) {
        a.packedInt64(8, ls).varint(20, 7);
      } else {
        throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
      }
      return a;
    }
  }

  /** A float32 initializer. */
  String floats(String hint, float[] values, long... dims) {
    check(values.length, dims, hint);
    return initializer(hint, FLOAT, dims, t -> t.floatsRaw(9, values));
  }

  /** An int8 initializer. */
  String int8s(String hint, byte[] values, long... dims) {
    check(values.length, dims, hint);
    return initializer(hint, INT8, dims, t -> t.bytes(9, values));
  }

  /** An int64 initializer (shapes, split sizes, slice bounds). */
  String int64s(String hint, long... values) {
    return initializer(hint, INT64, new long[] {values.length}, t -> t.packedInt64(7, values));
  }

  /** A float32 scalar initializer. */
  String scalar(String hint, float value) {
    return initializer(hint, FLOAT, new long[0], t -> t.floatsRaw(9, new float[] {value}));
  }

  private String initializer(String hint, int type, long[] dims, java.util.function.Consumer<ProtoMessage> data) {
    String n = fresh(hint);
    ProtoMessage t = new ProtoMessage();
    if (dims.length > 0) {
      t.packedInt64(1, dims);
    }
    t.varint(2, type).string(8, n);
    data.accept(t);
    initializers.add(t);
    return n;
  }

  private static void check(int length, long[] dims, String hint) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(hint + ": " + length + " values for dims of " + n);
    }
  }

  /** A node in the default domain with one output. */
  String node(String op, List<String> in, Attr... attrs) {
    return nodeMulti(op, "", in, 1, attrs)[0];
  }

  /** A node with {@code outputs} outputs in {@code domain} ("" for ONNX's own). */
  String[] nodeMulti(String op, String domain, List<String> in, int outputCount, Attr... attrs) {
    String[] out = new String[outputCount];
    ProtoMessage n = new ProtoMessage();
    for (String i : in) {
      n.string(1, i);
    }
    for (int i = 0; i < outputCount; i++) {
      out[i] = fresh(op);
      n.string(2, out[i]);
    }
    n.string(3, fresh(op + "_node")).string(4, op);
    for (Attr a : attrs) {
      n.message(5, a.proto());
    }
    if (!domain.isEmpty()) {
      n.string(7, domain);
    }
    nodes.add(n);
    return out;
  }

  /** Declares {@code value} a graph output under {@code outName} (through an Identity node). */
  void output(String value, String outName, int type, Object... dims) {
    nodes.add(new ProtoMessage().string(1, value).string(2, outName).string(3, fresh("Identity_node")).string(4, "Identity"));
    outputs.add(valueInfo(outName, type, dims));
  }

  /** A graph input; a dimension is a Long (fixed) or a String (symbolic, e.g. "batch"). */
  String input(String inName, int type, Object... dims) {
    inputs.add(valueInfo(inName, type, dims));
    return inName;
  }

  private static ProtoMessage valueInfo(String n, int type, Object... dims) {
    ProtoMessage shape = new ProtoMessage();
    for (Object d : dims) {
      ProtoMessage dim = new ProtoMessage();
      if (d instanceof String s) {
        dim.string(2, s);
      } else {
        dim.varint(1, ((Number) d).longValue());
      }
      shape.message(1, dim);
    }
    ProtoMessage tensorType = new ProtoMessage().varint(1, type).message(2, shape);
    return new ProtoMessage().string(1, n).message(2, new ProtoMessage().message(1, tensorType));
  }

  private String fresh(String hint) {
    return hint + "_" + counter++;
  }

  /** The ModelProto. */
  ProtoMessage model(String producerVersion) {
    ProtoMessage g = new ProtoMessage();
    nodes.forEach(n -> g.message(1, n));
    g.string(2, name);
    initializers.forEach(t -> g.message(5, t));
    inputs.forEach(i -> g.message(11, i));
    outputs.forEach(o -> g.message(12, o));
    ProtoMessage m = new ProtoMessage()
        .varint(1, IR_VERSION)
        .string(2, "ovss")
        .string(3, producerVersion)
        .message(7, g)
        .message(8, new ProtoMessage().string(1, "").varint(2, OPSET));
    return m;
  }

  void writeTo(OutputStream out, String producerVersion) throws IOException {
    model(producerVersion).writeTo(out);
  }
}

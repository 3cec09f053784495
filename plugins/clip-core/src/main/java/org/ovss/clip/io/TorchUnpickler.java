package org.ovss.clip.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for the {@code data.pkl} of torch zip archives. It interprets the pickle
 * opcodes that {@code torch.save} and {@code torch.jit.save} emit and never executes code: the only
 * globals it resolves are the tensor-rebuilding functions, storage types, {@code
 * collections.OrderedDict}, {@code _codecs.encode} (which protocol-2 pickles use for bytes values)
 * and TorchScript ({@code __torch__.*}) classes, each modelled by a plain Java value, and every
 * other global is refused. Python values map to Java ones: str to String, int to Long (BigInteger
 * beyond 64 bits), float to Double, bool to Boolean, bytes to byte[], None to null, list to
 * ArrayList, tuple to an unmodifiable List, dict to LinkedHashMap, set to LinkedHashSet.
 */
final class TorchUnpickler {

  /** Looks up the archive storage a persistent id names; throws if it is missing or too short. */
  @FunctionalInterface
  interface StorageResolver {
    Storage resolve(String key, TensorDType dtype, long numel);
  }

  /** A typed storage of the archive: {@code numel} elements in entry {@code data/<key>}. */
  record Storage(String key, TensorDType dtype, long numel) {}

  /** A strided view of a storage, as {@code torch._utils._rebuild_tensor_v2} builds it. */
  record TensorView(Storage storage, long offset, long[] size, long[] stride) {

    long numel() {
      long n = 1;
      for (long d : size) {
        n *= d; // checked not to overflow when the view was built
      }
      return n;
    }

    /** Whether the elements lie in C order without gaps, so they can be streamed. */
    boolean isContiguous() {
      long expected = 1;
      for (int d = size.length - 1; d >= 0; d--) {
        if (size[d] != 1 && stride[d] != expected) {
          return false;
        }
        expected *= size[d];
      }
      return true;
    }

    /** One past the largest storage index the view reaches (its offset when it is empty). */
    long end() {
      long last = offset;
      for (int d = 0; d < size.length; d++) {
        if (size[d] == 0) {
          return offset;
        }
        last += (size[d] - 1) * stride[d];
      }
      return last + 1;
    }
  }

  /** An instance of a TorchScript class: a module or other object with attributes. */
  static final class ScriptObject {
    final String className;
    final Map<String, Object> attributes = new LinkedHashMap<>();

    /** Set by BUILD when the class pickles its state as something other than an attribute dict. */
    Object state;

    ScriptObject(String className) {
      this.className = className;
    }
  }

  private enum GlobalKind {
    REBUILD_TENSOR,
    REBUILD_PARAMETER,
    ORDERED_DICT,
    CODECS_ENCODE,
    STORAGE_TYPE,
    SCRIPT_CLASS
  }

  private record Global(String qualifiedName, GlobalKind kind, TensorDType dtype) {}

  private static final Map<String, TensorDType> STORAGE_TYPES =
      Map.of(
          "FloatStorage", TensorDType.F32,
          "HalfStorage", TensorDType.F16,
          "BFloat16Storage", TensorDType.BF16,
          "DoubleStorage", TensorDType.F64,
          "LongStorage", TensorDType.I64,
          "IntStorage", TensorDType.I32,
          "ShortStorage", TensorDType.I16,
          "CharStorage", TensorDType.I8,
          "ByteStorage", TensorDType.U8,
          "BoolStorage", TensorDType.BOOL);

  private static final Object MARK = new Object();

  private final Path file;
  private final String entryName;
  private final byte[] data;
  private final StorageResolver storages;
  private final ByteBuffer le;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;

  private TorchUnpickler(Path file, String entryName, byte[] data, StorageResolver storages) {
    this.file = file;
    this.entryName = entryName;
    this.data = data;
    this.storages = storages;
    this.le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Unpickles {@code data}, the content of archive entry {@code entryName} of {@code file}.
   *
   * @throws TensorFormatException naming the file and entry if the pickle is malformed, truncated,
   *     uses an unsupported opcode, or names a global outside the whitelist
   */
  static Object load(Path file, String entryName, byte[] data, StorageResolver storages) {
    return new TorchUnpickler(file, entryName, data, storages).run();
  }

  private Object run() {
    while (true) {
      int at = pos;
      int op = u8();
      switch (op) {
        case 0x80 -> { // PROTO
          int protocol = u8();
          if (protocol > 5) {
            throw error(at, "unsupported pickle protocol " + protocol);
          }
        }
        case 0x95 -> skip(8); // FRAME: only a read-ahead hint
        case '.' -> { // STOP
          return pop();
        }
        case 'c' -> push(global(line(), line())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          String name = popAs(String.class, "STACK_GLOBAL name");
          String module = popAs(String.class, "STACK_GLOBAL module");
          push(global(module, name));
        }
        case 'q' -> memo.put((long) u8(), peek()); // BINPUT
        case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
        case 'h' -> push(memoGet(u8(), at)); // BINGET
        case 'j' -> push(memoGet(u32(), at)); // LONG_BINGET
        case '(' -> { // MARK
          marks.add(stack.size());
          stack.add(MARK);
        }
        case '0' -> pop(); // POP
        case '1' -> popMark(); // POP_MARK
        case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
        case 't' -> push(tuple(popMark())); // TUPLE
        case 0x85 -> push(tuple(popN(1))); // TUPLE1
        case 0x86 -> push(tuple(popN(2))); // TUPLE2
        case 0x87 -> push(tuple(popN(3))); // TUPLE3
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case 'l' -> push(new ArrayList<>(popMark())); // LIST
        case 'a' -> { // APPEND
          Object v = pop();
          list(at).add(v);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark();
          list(at).addAll(items);
        }
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case 'd' -> { // DICT
          Map<Object, Object> dict = new LinkedHashMap<>();
          putPairs(dict, popMark(), at);
          push(dict);
        }
        case 's' -> { // SETITEM
          Object v = pop();
          Object k = pop();
          dict(at).put(k, v);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          putPairs(dict(at), items, at);
        }
        case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
        case 0x90 -> { // ADDITEMS
          List<Object> items = popMark();
          set(at).addAll(items);
        }
        case 'X' -> push(utf8(u32())); // BINUNICODE
        case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
        case 0x8d -> push(utf8(u64())); // BINUNICODE8
        case 'T' -> push(latin1(i32())); // BINSTRING
        case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
        case 'B' -> push(bytes(u32())); // BINBYTES
        case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
        case 0x8e -> push(bytes(u64())); // BINBYTES8
        case 'J' -> push((long) i32()); // BININT
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) u16()); // BININT2
        case 0x8a -> push(long1(u8())); // LONG1
        case 'G' -> { // BINFLOAT, the one big-endian field
          need(8);
          push(ByteBuffer.wrap(data, pos, 8).getDouble());
          pos += 8;
        }
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'N' -> push(null); // NONE
        case 'R' -> { // REDUCE
          List<Object> args = popAs(List.class, "REDUCE arguments");
          push(call(pop(), args, at));
        }
        case 0x81 -> { // NEWOBJ
          List<Object> args = popAs(List.class, "NEWOBJ arguments");
          push(newObject(pop(), args, at));
        }
        case 'b' -> { // BUILD
          Object state = pop();
          build(peek(), state, at);
        }
        case 'Q' -> push(persistentLoad(pop(), at)); // BINPERSID
        default -> throw error(at, String.format("unsupported pickle opcode 0x%02x", op));
      }
    }
  }

  private Global global(String module, String name) {
    String qualified = module + "." + name;
    switch (qualified) {
      case "torch._utils._rebuild_tensor_v2":
        return new Global(qualified, GlobalKind.REBUILD_TENSOR, null);
      case "torch._utils._rebuild_parameter":
        return new Global(qualified, GlobalKind.REBUILD_PARAMETER, null);
      case "collections.OrderedDict":
        return new Global(qualified, GlobalKind.ORDERED_DICT, null);
      case "_codecs.encode":
        return new Global(qualified, GlobalKind.CODECS_ENCODE, null);
      default:
        break;
    }
    if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
      return new Global(qualified, GlobalKind.STORAGE_TYPE, STORAGE_TYPES.get(name));
    }
    if (module.equals("__torch__") || module.startsWith("__torch__.")) {
      return new Global(qualified, GlobalKind.SCRIPT_CLASS, null);
    }
    throw new TensorFormatException(
        file,
        entryName
            + " references global '"
            + qualified
            + "', which is refused: only tensor-rebuilding globals and TorchScript classes are "
            + "allowed, because weights must be data, not code");
  }

  private Object call(Object callable, List<Object> args, int at) {
    if (!(callable instanceof Global g)) {
      throw error(at, "REDUCE on a non-callable " + describe(callable));
    }
    return switch (g.kind) {
      case REBUILD_TENSOR -> rebuildTensor(args, at);
      case REBUILD_PARAMETER -> {
        if (args.size() != 3 || !(args.get(0) instanceof TensorView)) {
          throw error(at, g.qualifiedName + " expects (tensor, requires_grad, hooks)");
        }
        yield args.get(0);
      }
      case ORDERED_DICT -> {
        Map<Object, Object> dict = new LinkedHashMap<>();
        if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
          for (Object pair : pairs) {
            if (!(pair instanceof List<?> kv) || kv.size() != 2) {
              throw error(at, g.qualifiedName + " argument is not a sequence of pairs");
            }
            dict.put(kv.get(0), kv.get(1));
          }
        } else if (!args.isEmpty()) {
          throw error(at, g.qualifiedName + " called with unsupported arguments");
        }
        yield dict;
      }
      case CODECS_ENCODE -> {
        // protocol 2 has no bytes opcode, so pickle writes bytes as encode(latin-1 str, 'latin1')
        if (args.size() != 2
            || !(args.get(0) instanceof String text)
            || !"latin1".equals(args.get(1))) {
          throw error(at, g.qualifiedName + " supported only as (str, 'latin1')");
        }
        yield text.getBytes(StandardCharsets.ISO_8859_1);
      }
      case STORAGE_TYPE, SCRIPT_CLASS -> throw error(at, "REDUCE on " + g.qualifiedName);
    };
  }

  private Object newObject(Object cls, List<Object> args, int at) {
    if (cls instanceof Global g && g.kind == GlobalKind.SCRIPT_CLASS) {
      return new ScriptObject(g.qualifiedName);
    }
    if (cls instanceof Global g && g.kind == GlobalKind.ORDERED_DICT && args.isEmpty()) {
      return new LinkedHashMap<>();
    }
    throw error(at, "NEWOBJ on unsupported " + describe(cls));
  }

  private void build(Object target, Object state, int at) {
    if (target instanceof ScriptObject obj) {
      if (state instanceof Map<?, ?> attrs) {
        for (Map.Entry<?, ?> a : attrs.entrySet()) {
          if (!(a.getKey() instanceof String name)) {
            throw error(at, "attribute name " + describe(a.getKey()) + " is not a string");
          }
          obj.attributes.put(name, a.getValue());
        }
      } else {
        obj.state = state;
      }
    } else if (!(target instanceof Map)) {
      // BUILD on a dict sets Python attributes (a state_dict's _metadata), not items: no tensors
      throw error(at, "BUILD on unsupported " + describe(target));
    }
  }

  private TensorView rebuildTensor(List<Object> args, int at) {
    if (args.size() != 6 && args.size() != 7) {
      throw error(at, "_rebuild_tensor_v2 expects 6 or 7 arguments, got " + args.size());
    }
    if (!(args.get(0) instanceof Storage storage)) {
      throw error(at, "_rebuild_tensor_v2 storage argument is " + describe(args.get(0)));
    }
    long offset = longArg(args.get(1), "storage offset", at);
    long[] size = longsArg(args.get(2), "size", at);
    long[] stride = longsArg(args.get(3), "stride", at);
    String view =
        "tensor view (offset "
            + offset
            + ", size "
            + Arrays.toString(size)
            + ", stride "
            + Arrays.toString(stride)
            + ") of storage '"
            + storage.key
            + "'";
    if (size.length != stride.length) {
      throw error(at, view + " has different size and stride ranks");
    }
    if (offset < 0) {
      throw error(at, view + " has a negative offset");
    }
    for (int d = 0; d < size.length; d++) {
      if (size[d] < 0 || stride[d] < 0) {
        throw error(at, view + " has a negative size or stride");
      }
    }
    TensorView t = new TensorView(storage, offset, size, stride);
    try {
      long numel = 1;
      long last = offset;
      for (int d = 0; d < size.length; d++) {
        numel = Math.multiplyExact(numel, size[d]);
        if (size[d] > 0) {
          last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
        }
      }
      // the byte counts the reader derives later must not overflow either
      Math.multiplyExact(numel, storage.dtype.byteSize());
      Math.multiplyExact(Math.addExact(last, 1), storage.dtype.byteSize());
    } catch (ArithmeticException e) {
      throw error(at, view + " overflows 64-bit indexing");
    }
    if (t.end() > storage.numel) {
      throw error(
          at,
          view + " reaches element " + (t.end() - 1) + " of " + storage.numel + " in the storage");
    }
    return t;
  }

  private Object persistentLoad(Object pid, int at) {
    if (!(pid instanceof List<?> t)
        || t.size() != 5
        || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof Global g)
        || g.kind != GlobalKind.STORAGE_TYPE
        || !(t.get(2) instanceof String key)) {
      throw error(
          at,
          "persistent id "
              + describe(pid)
              + " is not ('storage', <torch storage type>, key, location, numel)");
    }
    long numel = longArg(t.get(4), "storage numel", at);
    if (numel < 0) {
      throw error(at, "storage '" + key + "' has negative numel " + numel);
    }
    return storages.resolve(key, g.dtype, numel);
  }

  private long longArg(Object v, String what, int at) {
    if (!(v instanceof Long l)) {
      throw error(at, what + " is " + describe(v) + ", not a 64-bit int");
    }
    return l;
  }

  private long[] longsArg(Object v, String what, int at) {
    if (!(v instanceof List<?> items)) {
      throw error(at, what + " is " + describe(v) + ", not a tuple of ints");
    }
    long[] out = new long[items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = longArg(items.get(i), what + " element", at);
    }
    return out;
  }

  private void putPairs(Map<Object, Object> dict, List<Object> items, int at) {
    if (items.size() % 2 != 0) {
      throw error(at, "odd number of items for a dict");
    }
    for (int i = 0; i < items.size(); i += 2) {
      dict.put(items.get(i), items.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(int at) {
    if (!(peek() instanceof ArrayList<?> l)) {
      throw error(at, "APPEND to " + describe(peek()) + ", not a list");
    }
    return (List<Object>) l;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(int at) {
    if (!(peek() instanceof LinkedHashMap<?, ?> m)) {
      throw error(at, "SETITEM on " + describe(peek()) + ", not a dict");
    }
    return (Map<Object, Object>) m;
  }

  @SuppressWarnings("unchecked")
  private Set<Object> set(int at) {
    if (!(peek() instanceof LinkedHashSet<?> s)) {
      throw error(at, "ADDITEMS on " + describe(peek()) + ", not a set");
    }
    return (Set<Object>) s;
  }

  private static List<Object> tuple(Collection<Object> items) {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }

  private void push(Object v) {
    stack.add(v);
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw error(pos - 1, "pickle stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private Object pop() {
    Object v = peek();
    stack.remove(stack.size() - 1);
    return v;
  }

  @SuppressWarnings("unchecked")
  private <T> T popAs(Class<?> type, String what) {
    Object v = pop();
    if (!type.isInstance(v)) {
      throw error(pos - 1, what + " is " + describe(v) + ", not a " + type.getSimpleName());
    }
    return (T) v;
  }

  private List<Object> popN(int n) {
    List<Object> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(0, pop());
    }
    return items;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw error(pos - 1, "pickle MARK missing");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(mark + 1, stack.size());
    List<Object> items = new ArrayList<>(top);
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  private Object memoGet(long key, int at) {
    if (!memo.containsKey(key)) {
      throw error(at, "pickle memo has no entry " + key);
    }
    return memo.get(key);
  }

  private void need(long n) {
    if (n < 0 || n > data.length - pos) {
      throw new TensorFormatException(
          file,
          entryName
              + " is truncated: needs "
              + Long.toUnsignedString(n)
              + " bytes at byte "
              + pos
              + " but "
              + (data.length - pos)
              + " remain");
    }
  }

  private void skip(long n) {
    need(n);
    pos += (int) n;
  }

  private int u8() {
    need(1);
    return data[pos++] & 0xff;
  }

  private int u16() {
    need(2);
    int v = le.getShort(pos) & 0xffff;
    pos += 2;
    return v;
  }

  private int i32() {
    need(4);
    int v = le.getInt(pos);
    pos += 4;
    return v;
  }

  private long u32() {
    return i32() & 0xffffffffL;
  }

  private long u64() {
    need(8);
    long v = le.getLong(pos);
    pos += 8;
    return v; // a negative value is above 2^63 and fails the next bounds check
  }

  private Object long1(int n) {
    need(n);
    byte[] bigEndian = new byte[n];
    for (int i = 0; i < n; i++) {
      bigEndian[i] = data[pos + n - 1 - i];
    }
    pos += n;
    if (n == 0) {
      return 0L;
    }
    BigInteger v = new BigInteger(bigEndian);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private String line() {
    for (int i = pos; i < data.length; i++) {
      if (data[i] == '\n') {
        String s = new String(data, pos, i - pos, StandardCharsets.UTF_8);
        pos = i + 1;
        return s;
      }
    }
    throw new TensorFormatException(file, entryName + " is truncated inside a GLOBAL opcode");
  }

  private String utf8(long n) {
    need(n);
    String s = new String(data, pos, (int) n, StandardCharsets.UTF_8);
    pos += (int) n;
    return s;
  }

  private String latin1(long n) {
    need(n);
    String s = new String(data, pos, (int) n, StandardCharsets.ISO_8859_1);
    pos += (int) n;
    return s;
  }

  private byte[] bytes(long n) {
    need(n);
    byte[] b = Arrays.copyOfRange(data, pos, pos + (int) n);
    pos += (int) n;
    return b;
  }

  private static String describe(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Global g) {
      return "global " + g.qualifiedName;
    }
    if (v instanceof ScriptObject o) {
      return "TorchScript object " + o.className;
    }
    return v.getClass().getSimpleName();
  }

  private TensorFormatException error(int at, String problem) {
    return new TensorFormatException(file, entryName + " byte " + at + ": " + problem);
  }
}

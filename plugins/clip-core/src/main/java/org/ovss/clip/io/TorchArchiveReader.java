package org.ovss.clip.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.ovss.clip.io.TorchUnpickler.ScriptObject;
import org.ovss.clip.io.TorchUnpickler.Storage;
import org.ovss.clip.io.TorchUnpickler.TensorView;

/**
 * Reads the tensors of a torch zip archive: a {@code torch.save} checkpoint ({@code .pt}/{@code
 * .pth}, torch 1.6 or later) or a TorchScript archive from {@code torch.jit.save}, the container
 * OpenAI distributes CLIP in. The archive's {@code <prefix>/data.pkl} is interpreted by a
 * restricted unpickler that runs no code (see {@link TorchUnpickler}); tensors are then named by
 * their path through the unpickled object tree: dict keys and TorchScript attributes joined by
 * dots, list and tuple positions as indices, non-tensor leaves skipped. So {@code
 * torch.save({'model': sd})} yields {@code model.<key>}, and an OpenAI CLIP archive yields {@code
 * visual.conv1.weight} and so on; a bare top-level tensor is named {@code ""}. Storage bytes are
 * read from {@code <prefix>/data/<key>} only when a tensor is read.
 */
public final class TorchArchiveReader implements TensorFile {

  /** data.pkl holds only structure (the weights are separate entries), so this is generous. */
  private static final int MAX_PICKLE_BYTES = 256 << 20;

  /** Guards the recursive naming walk against pathological nesting. */
  private static final int MAX_DEPTH = 1000;

  private final Path path;
  private final ZipFile zip;
  private final String prefix;
  private final Map<String, TensorView> tensors;

  private TorchArchiveReader(Path path, ZipFile zip) throws IOException {
    this.path = path;
    this.zip = zip;
    String pickleName = findDataPickle();
    this.prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
    checkByteOrder();
    ZipEntry pickleEntry = zip.getEntry(pickleName);
    if (pickleEntry.getSize() > MAX_PICKLE_BYTES) {
      throw new TensorFormatException(
          path, pickleName + " is larger than " + MAX_PICKLE_BYTES + " bytes");
    }
    byte[] pickle;
    try (InputStream in = zip.getInputStream(pickleEntry)) {
      pickle = in.readNBytes(MAX_PICKLE_BYTES + 1);
    }
    if (pickle.length > MAX_PICKLE_BYTES) {
      throw new TensorFormatException(
          path, pickleName + " is larger than " + MAX_PICKLE_BYTES + " bytes");
    }
    Object root = TorchUnpickler.load(path, pickleName, pickle, this::storage);
    Map<String, TensorView> named = new LinkedHashMap<>();
    flatten(root, "", named, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    this.tensors = Collections.unmodifiableMap(named);
  }

  /**
   * Opens {@code path} and unpickles its tensor index.
   *
   * @throws TensorFormatException naming the file if it is not a torch zip archive, is malformed,
   *     or its pickle references anything other than tensor data
   * @throws UncheckedIOException if it cannot be read
   */
  public static TorchArchiveReader open(Path path) {
    ZipFile zip;
    try {
      zip = new ZipFile(path.toFile());
    } catch (ZipException | EOFException e) {
      // the JDK reports a central directory that runs past the end of the file as an EOFException
      throw new TensorFormatException(path, "not a valid zip archive: " + e, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path, e);
    }
    try {
      return new TorchArchiveReader(path, zip);
    } catch (IOException | RuntimeException e) {
      try {
        zip.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof ZipException || e instanceof EOFException) {
        // the file was opened; what fails now is its content (a damaged entry), not the disk
        throw new TensorFormatException(path, "damaged zip archive: " + e.getMessage(), e);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot read " + path, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** The one {@code <prefix>/data.pkl} at the archive's top level. */
  private String findDataPickle() {
    String found = null;
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        if (found != null) {
          throw new TensorFormatException(
              path, "holds both " + found + " and " + name + "; expected one top-level data.pkl");
        }
        found = name;
      }
    }
    if (found == null) {
      throw new TensorFormatException(
          path, "has no <prefix>/data.pkl entry, so it is not a torch zip archive");
    }
    return found;
  }

  private void checkByteOrder() throws IOException {
    ZipEntry entry = zip.getEntry(prefix + "byteorder");
    if (entry == null) {
      return; // written only by torch >= 2.1, and then "little" on all common hosts
    }
    String order;
    try (InputStream in = zip.getInputStream(entry)) {
      order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).strip();
    }
    if (!order.equals("little")) {
      throw new TensorFormatException(
          path, "byte order '" + order + "' is not supported, only little-endian storages");
    }
  }

  private Storage storage(String key, TensorDType dtype, long numel) {
    String entryName = prefix + "data/" + key;
    ZipEntry entry = zip.getEntry(entryName);
    if (entry == null) {
      throw new TensorFormatException(path, "storage entry " + entryName + " is missing");
    }
    long needed;
    try {
      needed = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new TensorFormatException(
          path, "storage " + entryName + " numel " + numel + " overflows a byte count");
    }
    // ZipFile knows sizes from the central directory; -1 (unknown) is left to the reads to catch
    if (entry.getSize() >= 0 && entry.getSize() < needed) {
      throw new TensorFormatException(
          path,
          "storage entry "
              + entryName
              + " has "
              + entry.getSize()
              + " bytes, fewer than the "
              + needed
              + " that "
              + numel
              + " "
              + dtype
              + " elements need");
    }
    return new Storage(key, dtype, numel);
  }

  private void flatten(
      Object node, String name, Map<String, TensorView> out, Set<Object> onPath, int depth) {
    if (node instanceof TensorView t) {
      if (out.putIfAbsent(name, t) != null) {
        throw new TensorFormatException(path, name, "two tensors of the archive have this name");
      }
      return;
    }
    if (isLeaf(node)) {
      return;
    }
    if (depth > MAX_DEPTH || !onPath.add(node)) {
      throw new TensorFormatException(
          path, "object tree is cyclic or nested too deeply at '" + name + "'");
    }
    if (node instanceof Map<?, ?> dict) {
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (!isLeaf(e.getValue())) {
          flatten(e.getValue(), join(name, keyName(name, e.getKey())), out, onPath, depth + 1);
        }
      }
    } else if (node instanceof ScriptObject obj) {
      for (Map.Entry<String, Object> a : obj.attributes.entrySet()) {
        flatten(a.getValue(), join(name, a.getKey()), out, onPath, depth + 1);
      }
      flatten(obj.state, name, out, onPath, depth + 1);
    } else {
      List<?> items = (List<?>) node;
      for (int i = 0; i < items.size(); i++) {
        flatten(items.get(i), join(name, Integer.toString(i)), out, onPath, depth + 1);
      }
    }
    onPath.remove(node);
  }

  private static boolean isLeaf(Object v) {
    return !(v instanceof TensorView
        || v instanceof Map
        || v instanceof List
        || v instanceof ScriptObject);
  }

  private String keyName(String parent, Object key) {
    if (key instanceof String || key instanceof Long || key instanceof BigInteger) {
      return key.toString();
    }
    throw new TensorFormatException(
        path,
        "a dict key under '"
            + parent
            + "' is a "
            + (key == null ? "None" : key.getClass().getSimpleName())
            + ", which cannot name a tensor");
  }

  private static String join(String prefix, String component) {
    return prefix.isEmpty() ? component : prefix + "." + component;
  }

  private TensorView view(String name) {
    TensorView t = tensors.get(name);
    if (t == null) {
      throw new TensorFormatException(path, name, "no such tensor in the archive");
    }
    return t;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    TensorView t = view(name);
    return new TensorInfo(name, t.storage().dtype(), t.size());
  }

  @Override
  public void readFloats(String name, FloatBuffer out) {
    TensorView t = view(name);
    TensorDType dtype = t.storage().dtype();
    int n = Elements.arrayLength(path, info(name));
    Elements.requireRoom(path, name, out, n);
    try {
      if (t.isContiguous()) {
        try (InputStream in = openAt(t)) {
          Elements.readFloats(Channels.newChannel(in)::read, dtype, n, out);
        }
        return;
      }
      ByteBuffer span = span(name, t);
      int base = out.position();
      forEachElement(t, n, (i, at) -> out.put(base + i, Elements.floatAt(span, dtype, at)));
    } catch (IOException e) {
      throw readFailure(name, t, e);
    }
  }

  @Override
  public long[] readLongs(String name) {
    TensorView t = view(name);
    TensorDType dtype = t.storage().dtype();
    TensorInfo info = info(name);
    Elements.requireInteger(path, info);
    int n = Elements.arrayLength(path, info);
    try {
      if (t.isContiguous()) {
        try (InputStream in = openAt(t)) {
          return Elements.readLongs(Channels.newChannel(in)::read, dtype, n);
        }
      }
      ByteBuffer span = span(name, t);
      long[] out = new long[n];
      forEachElement(t, n, (i, at) -> out[i] = Elements.longAt(span, dtype, at));
      return out;
    } catch (IOException e) {
      throw readFailure(name, t, e);
    }
  }

  private String entryName(TensorView t) {
    return prefix + "data/" + t.storage().key();
  }

  /** The storage entry, positioned at the view's first element. */
  private InputStream openAt(TensorView t) throws IOException {
    InputStream in = zip.getInputStream(zip.getEntry(entryName(t)));
    try {
      in.skipNBytes(t.offset() * t.storage().dtype().byteSize());
      return in;
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  /**
   * The bytes from the view's first to its last element, for gathering a non-contiguous view;
   * streaming is not possible since its elements are not in storage order.
   */
  private ByteBuffer span(String name, TensorView t) throws IOException {
    long bytes = (t.end() - t.offset()) * t.storage().dtype().byteSize();
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new TensorFormatException(
          path, name, "non-contiguous view spans " + bytes + " bytes, too many to gather");
    }
    byte[] b;
    try (InputStream in = openAt(t)) {
      b = in.readNBytes((int) bytes);
    }
    if (b.length < bytes) {
      throw new EOFException("storage ends " + (bytes - b.length) + " bytes early");
    }
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  @FunctionalInterface
  private interface ElementSink {
    /** Element {@code index} in C order lies at byte {@code at} of the span. */
    void accept(int index, int at);
  }

  private static void forEachElement(TensorView t, int numel, ElementSink sink) {
    long[] size = t.size();
    long[] stride = t.stride();
    int elementSize = t.storage().dtype().byteSize();
    long[] index = new long[size.length];
    long at = 0;
    for (int i = 0; i < numel; i++) {
      sink.accept(i, (int) (at * elementSize));
      // advance the multi-index like an odometer, last dimension fastest
      for (int d = size.length - 1; d >= 0; d--) {
        at += stride[d];
        if (++index[d] < size[d]) {
          break;
        }
        at -= stride[d] * size[d];
        index[d] = 0;
      }
    }
  }

  private RuntimeException readFailure(String name, TensorView t, IOException e) {
    if (e instanceof EOFException || e instanceof ZipException) {
      return new TensorFormatException(
          path, name, "storage entry " + entryName(t) + " is truncated or damaged: " + e.getMessage(), e);
    }
    return new UncheckedIOException("cannot read tensor '" + name + "' of " + path, e);
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  @Override
  public void close() {
    try {
      zip.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path, e);
    }
  }
}

package org.ovss.clip.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a <a href="https://github.com/huggingface/safetensors">safetensors</a> file. The header is
 * validated completely when opening, before anything sized by the file is allocated; tensor data is
 * read on demand with positional reads, so files larger than 2 GiB work and reads may run
 * concurrently.
 */
public final class SafetensorsReader implements TensorFile {

  /** Largest header accepted, as in the reference implementation: bounds what opening allocates. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  /** Where a tensor's bytes lie, relative to the start of the data section. */
  private record Entry(TensorInfo info, long begin, long end) {}

  private SafetensorsReader(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw new TensorFormatException(
          path, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(lengthBytes, 0);
    long headerLength = lengthBytes.getLong(0);
    // unsigned in the format: a negative long is above 2^63 and so above the limit too
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new TensorFormatException(
          path,
          "header length "
              + Long.toUnsignedString(headerLength)
              + " exceeds the limit of "
              + MAX_HEADER_BYTES
              + " bytes");
    }
    if (headerLength > fileSize - 8) {
      throw new TensorFormatException(
          path,
          "header length "
              + headerLength
              + " extends beyond the end of the file ("
              + fileSize
              + " bytes)");
    }
    ByteBuffer header = ByteBuffer.allocate((int) headerLength);
    readFully(header, 8);
    this.dataStart = 8 + headerLength;
    JsonNode root;
    try {
      // UTF-8 by the format; from raw bytes Jackson would guess UTF-16/32 and fail outside its JSON errors
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(header.flip())
          .toString();
      root = JSON.readTree(text);
    } catch (CharacterCodingException e) {
      throw new TensorFormatException(path, "header is not valid UTF-8", e);
    } catch (JsonProcessingException e) {
      throw new TensorFormatException(
          path, "header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TensorFormatException(path, "header is not a JSON object");
    }
    Map<String, String> meta = Map.of();
    Map<String, Entry> parsed = new LinkedHashMap<>();
    long dataSize = fileSize - dataStart;
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        meta = parseMetadata(field.getValue());
      } else {
        parsed.put(field.getKey(), parseEntry(field.getKey(), field.getValue(), dataSize));
      }
    }
    checkNoOverlap(parsed.values());
    this.entries = Collections.unmodifiableMap(parsed);
    this.metadata = meta;
  }

  /**
   * Opens and validates {@code path}.
   *
   * @throws TensorFormatException naming the file (and tensor) if anything in it is malformed
   * @throws UncheckedIOException if it cannot be read
   */
  public static SafetensorsReader open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path, e);
    }
    try {
      return new SafetensorsReader(path, ch);
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot read " + path, io);
      }
      throw (RuntimeException) e;
    }
  }

  private Map<String, String> parseMetadata(JsonNode node) {
    if (!node.isObject()) {
      throw new TensorFormatException(path, METADATA_KEY + " is not a JSON object");
    }
    Map<String, String> meta = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> kv : node.properties()) {
      if (!kv.getValue().isTextual()) {
        throw new TensorFormatException(
            path, METADATA_KEY + " value of '" + kv.getKey() + "' is not a string");
      }
      meta.put(kv.getKey(), kv.getValue().textValue());
    }
    return Collections.unmodifiableMap(meta);
  }

  private Entry parseEntry(String name, JsonNode node, long dataSize) {
    if (!node.isObject()) {
      throw new TensorFormatException(path, name, "header entry is not a JSON object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new TensorFormatException(path, name, "'dtype' is missing or not a string");
    }
    TensorDType dtype;
    try {
      dtype = TensorDType.fromSafetensors(dtypeNode.textValue());
    } catch (TensorFormatException e) {
      throw new TensorFormatException(path, name, e.getMessage());
    }
    long[] shape = longArray(name, node, "shape");
    for (long d : shape) {
      if (d < 0) {
        throw new TensorFormatException(
            path, name, "shape " + Arrays.toString(shape) + " has a negative dimension");
      }
    }
    long[] offsets = longArray(name, node, "data_offsets");
    if (offsets.length != 2) {
      throw new TensorFormatException(
          path, name, "'data_offsets' has " + offsets.length + " elements, not 2");
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (begin < 0 || end < 0) {
      throw new TensorFormatException(
          path, name, "data_offsets " + Arrays.toString(offsets) + " are negative");
    }
    if (begin > end) {
      throw new TensorFormatException(
          path, name, "data_offsets " + Arrays.toString(offsets) + " begin after they end");
    }
    if (end > dataSize) {
      throw new TensorFormatException(
          path,
          name,
          "data_offsets "
              + Arrays.toString(offsets)
              + " end beyond the data section ("
              + dataSize
              + " bytes)");
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(new TensorInfo(name, dtype, shape).numel(), dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new TensorFormatException(
          path, name, "shape " + Arrays.toString(shape) + " overflows a 64-bit byte count");
    }
    if (bytes != end - begin) {
      throw new TensorFormatException(
          path,
          name,
          dtype
              + Arrays.toString(shape)
              + " needs "
              + bytes
              + " bytes but data_offsets "
              + Arrays.toString(offsets)
              + " span "
              + (end - begin));
    }
    return new Entry(new TensorInfo(name, dtype, shape), begin, end);
  }

  private long[] longArray(String name, JsonNode entry, String field) {
    JsonNode node = entry.get(field);
    if (node == null || !node.isArray()) {
      throw new TensorFormatException(path, name, "'" + field + "' is missing or not an array");
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new TensorFormatException(
            path, name, "'" + field + "' element " + v + " is not a 64-bit integer");
      }
      values[i] = v.longValue();
    }
    return values;
  }

  private void checkNoOverlap(Iterable<Entry> all) {
    List<Entry> sorted = new ArrayList<>();
    for (Entry e : all) {
      // empty tensors own no bytes, so they may sit anywhere, even inside another tensor
      if (e.begin < e.end) {
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < sorted.size(); i++) {
      Entry prev = sorted.get(i - 1);
      Entry cur = sorted.get(i);
      if (cur.begin < prev.end) {
        throw new TensorFormatException(
            path,
            cur.info.name(),
            "bytes ["
                + cur.begin
                + ", "
                + cur.end
                + ") overlap those of tensor '"
                + prev.info.name()
                + "' ["
                + prev.begin
                + ", "
                + prev.end
                + ")");
      }
    }
  }

  private void readFully(ByteBuffer dst, long position) throws IOException {
    if (!Elements.fill(positional(position), dst)) {
      throw new EOFException("file ends " + dst.remaining() + " bytes early");
    }
  }

  /** Reads onward from {@code position} without moving the channel's own position. */
  private Elements.ByteSource positional(long position) {
    long[] next = {position};
    return buf -> {
      int n = channel.read(buf, next[0]);
      next[0] += Math.max(n, 0);
      return n;
    };
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new TensorFormatException(path, name, "no such tensor in the file");
    }
    return e;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    return entry(name).info;
  }

  @Override
  public void readFloats(String name, FloatBuffer out) {
    Entry e = entry(name);
    int n = Elements.arrayLength(path, e.info);
    Elements.requireRoom(path, name, out, n);
    try {
      Elements.readFloats(positional(dataStart + e.begin), e.info.dtype(), n, out);
    } catch (IOException ex) {
      throw readFailure(name, ex);
    }
  }

  @Override
  public long[] readLongs(String name) {
    Entry e = entry(name);
    Elements.requireInteger(path, e.info);
    int n = Elements.arrayLength(path, e.info);
    try {
      return Elements.readLongs(positional(dataStart + e.begin), e.info.dtype(), n);
    } catch (IOException ex) {
      throw readFailure(name, ex);
    }
  }

  private RuntimeException readFailure(String name, IOException e) {
    if (e instanceof EOFException) {
      // the header was checked against the size at opening, so the file shrank since
      return new TensorFormatException(path, name, "data truncated: " + e.getMessage(), e);
    }
    return new UncheckedIOException("cannot read tensor '" + name + "' of " + path, e);
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path, e);
    }
  }
}

package org.ovss.clip.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.ovss.datasets.AtomicFiles;

/** Writes safetensors files laid out as the reference implementation writes them. */
public final class SafetensorsWriter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsWriter() {}

  /**
   * One tensor to write: raw little-endian element bytes (the buffer's remaining bytes, which must
   * be exactly numel * dtype size). The shape is copied; the buffer is shared, not copied, but its
   * position and limit are captured, so later changes to them do not matter.
   */
  public record Tensor(String name, TensorDType dtype, long[] shape, ByteBuffer littleEndianData) {

    /**
     * @throws IllegalArgumentException if a dimension is negative or the data size does not match
     *     the shape
     */
    public Tensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
      long numel = new TensorInfo(name, dtype, shape).numel();
      shape = shape.clone();
      littleEndianData = littleEndianData.slice().order(ByteOrder.LITTLE_ENDIAN);
      if (littleEndianData.remaining() != Math.multiplyExact(numel, dtype.byteSize())) {
        throw new IllegalArgumentException(
            "tensor '"
                + name
                + "': "
                + dtype
                + Arrays.toString(shape)
                + " needs "
                + numel * dtype.byteSize()
                + " bytes, data has "
                + littleEndianData.remaining());
      }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** A view of the data, positioned at its first byte. */
    @Override
    public ByteBuffer littleEndianData() {
      return littleEndianData.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An F32 tensor holding a copy of {@code data} (C-contiguous order). */
    public static Tensor ofFloats(String name, long[] shape, float[] data) {
      ByteBuffer buf = littleEndian(data.length, 4);
      buf.asFloatBuffer().put(data);
      return new Tensor(name, TensorDType.F32, shape, buf);
    }

    /** An I64 tensor holding a copy of {@code data} (C-contiguous order). */
    public static Tensor ofLongs(String name, long[] shape, long[] data) {
      ByteBuffer buf = littleEndian(data.length, 8);
      buf.asLongBuffer().put(data);
      return new Tensor(name, TensorDType.I64, shape, buf);
    }

    /** An I32 tensor holding a copy of {@code data} (C-contiguous order). */
    public static Tensor ofInts(String name, long[] shape, int[] data) {
      ByteBuffer buf = littleEndian(data.length, 4);
      buf.asIntBuffer().put(data);
      return new Tensor(name, TensorDType.I32, shape, buf);
    }

    private static ByteBuffer littleEndian(int count, int size) {
      return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /**
   * Writes {@code tensors}, in the given order, to {@code path}, replacing any existing file
   * atomically: the bytes go to a temporary file in the same directory that is then renamed, so
   * readers never see a partial file. {@code metadata} becomes the {@code __metadata__} entry
   * unless it is empty (or null).
   *
   * @throws IllegalArgumentException if two tensors share a name or one is named {@code
   *     __metadata__}
   * @throws UncheckedIOException if writing fails; no temporary file is left behind
   */
  public static void write(Path path, List<Tensor> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata == null ? Map.of() : metadata);
    try {
      // durable before the rename makes it visible, so a crash cannot expose a torn file
      AtomicFiles.write(path, out -> {
        WritableByteChannel ch = Channels.newChannel(out);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(0, header.length);
        writeFully(ch, length);
        writeFully(ch, ByteBuffer.wrap(header));
        for (Tensor t : tensors) {
          writeFully(ch, t.littleEndianData());
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsReader.METADATA_KEY);
      metadata.forEach(
          (k, v) -> meta.put(k, Objects.requireNonNull(v, () -> "metadata value of '" + k + "'")));
    }
    Set<String> seen = new HashSet<>();
    long offset = 0;
    for (Tensor t : tensors) {
      if (t.name().equals(SafetensorsReader.METADATA_KEY) || !seen.add(t.name())) {
        throw new IllegalArgumentException("duplicate or reserved tensor name '" + t.name() + "'");
      }
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", t.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape) {
        shape.add(d);
      }
      long end = offset + t.littleEndianData.remaining();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
    // padded with spaces, as the reference implementation does, so the data starts 8-aligned
    byte[] padded = Arrays.copyOf(json, (json.length + 7) & ~7);
    Arrays.fill(padded, json.length, padded.length, (byte) ' ');
    return padded;
  }

  private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}

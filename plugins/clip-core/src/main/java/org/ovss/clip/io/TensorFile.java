package org.ovss.clip.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A read-only set of named tensors on disk (a "state dict"). Each tensor is read only when asked
 * for, and implementations may be read from several threads at once. I/O failures surface as {@link
 * UncheckedIOException}, malformed content as {@link TensorFormatException}.
 */
public interface TensorFile extends AutoCloseable {

  /** The file this was opened from. */
  Path path();

  /** Tensor names in file order. */
  List<String> names();

  /**
   * Dtype and shape of one tensor.
   *
   * @throws TensorFormatException naming the file and tensor if there is no such tensor
   */
  TensorInfo info(String name);

  /**
   * The tensor's elements in C-contiguous (row-major) order, converted to float32; F16 and BF16
   * convert exactly, F64 and wide integers round to nearest, BOOL reads as 0 or 1.
   *
   * @throws TensorFormatException if there is no such tensor, it has more than {@link
   *     Integer#MAX_VALUE} elements, or its data is truncated
   */
  default float[] readFloats(String name) {
    float[] out = new float[Elements.arrayLength(path(), info(name))];
    readFloats(name, FloatBuffer.wrap(out));
    return out;
  }

  /**
   * The same elements written into {@code out} from its position on (its position does not move), which must have
   * room for them: a direct buffer receives a tensor with no copy of it on the Java heap.
   *
   * @throws TensorFormatException as {@link #readFloats(String)}
   */
  void readFloats(String name, FloatBuffer out);

  /**
   * The elements of an integer or BOOL tensor in C-contiguous order, widened to long (U8 as
   * unsigned).
   *
   * @throws TensorFormatException if there is no such tensor, it has a floating-point dtype, has
   *     more than {@link Integer#MAX_VALUE} elements, or its data is truncated
   */
  long[] readLongs(String name);

  /** Safetensors {@code __metadata__}; empty for formats without one. */
  Map<String, String> metadata();

  /** Releases the file; reads afterwards fail. */
  @Override
  void close();

  /**
   * Opens a safetensors file or a torch zip archive ({@code torch.save} checkpoint or {@code
   * torch.jit.save} TorchScript archive), telling them apart by their first bytes rather than the
   * file name.
   *
   * @throws TensorFormatException if the file is neither, or is malformed
   * @throws UncheckedIOException if it cannot be read
   */
  static TensorFile open(Path path) {
    ByteBuffer head = ByteBuffer.allocate(9);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      Elements.fill(ch::read, head);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    head.flip();
    int n = head.remaining();
    if (n >= 4 && head.getInt(0) == 0x504b0304) { // "PK\3\4", the zip local-header magic
      return TorchArchiveReader.open(path);
    }
    if (n >= 9 && head.get(8) == '{') {
      return SafetensorsReader.open(path);
    }
    if (n >= 2 && (head.get(0) & 0xff) == 0x80 && head.get(1) <= 5) {
      throw new TensorFormatException(
          path,
          "a legacy (pre-zip) torch.save pickle, which is not supported; re-save it with "
              + "torch >= 1.6 or convert it to safetensors");
    }
    throw new TensorFormatException(
        path, "neither a safetensors file nor a torch zip archive (unrecognised first bytes)");
  }
}

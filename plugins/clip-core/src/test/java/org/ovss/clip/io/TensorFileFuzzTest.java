package org.ovss.clip.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes {@link TensorFile#open} (safetensors headers and torch zip archives with their restricted unpickler):
 * any bytes must either read as tensors or be refused with a {@link TensorFormatException}; anything else (an
 * unchecked exception of another kind, an OutOfMemoryError from a size the file made up) is a finding. Seeds and
 * past findings lie in {@code TensorFileFuzzTestInputs/readsOrRefuses/}.
 */
class TensorFileFuzzTest {
  private static final Path FILE = tempFile();

  @FuzzTest(maxDuration = "5s")
  void readsOrRefuses(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    try (TensorFile tensors = TensorFile.open(FILE)) {
      for (String name : tensors.names()) {
        TensorInfo info = tensors.info(name);
        tensors.metadata();
        if (info.numel() > 1 << 16) {
          continue; // valid but large: reading it tests the disk, not the parser
        }
        if (info.dtype().isInteger()) {
          tensors.readLongs(name);
        }
        tensors.readFloats(name);
      }
    } catch (TensorFormatException expected) {
      // refused with a message naming the file: what a hostile or broken file must get
    }
  }

  private static Path tempFile() {
    try {
      Path f = Files.createTempFile("tensor-fuzz", ".bin");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

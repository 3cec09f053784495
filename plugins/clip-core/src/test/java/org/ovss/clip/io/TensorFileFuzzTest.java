package org.ovss.clip.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link TensorFile#open} (safetensors headers and torch zip archives with their restricted unpickler):
 * any bytes must either read as tensors or be refused with a {@link TensorFormatException}; anything else (an
 * unchecked exception of another kind, an OutOfMemoryError from a size the file made up) is a finding. Seeds and
 * past findings lie in {@code TensorFileFuzzTestInputs/readsOrRefuses/}.
 */
class TensorFileFuzzTest {
  @TempDir static Path dir;

  @FuzzTest(maxDuration = "5s")
  void readsOrRefuses(byte[] bytes) throws IOException {
    Files.write(dir.resolve("input"), bytes);
    try (TensorFile tensors = TensorFile.open(dir.resolve("input"))) {
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
}

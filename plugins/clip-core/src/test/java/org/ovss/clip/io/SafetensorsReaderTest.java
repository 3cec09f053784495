package org.ovss.clip.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovss.clip.io.TestFiles.floatsLe;
import static org.ovss.clip.io.TestFiles.raw;
import static org.ovss.clip.io.TestFiles.safetensors;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {

  @TempDir Path dir;

  private static final String OK_ENTRY =
      "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

  @Test
  void readsFixtureHeaderInFileOrder() {
    Path file = TestFiles.parityDir().resolve("weights-openai.safetensors");
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.path()).isEqualTo(file);
      assertThat(r.names())
          .hasSize(74)
          .startsWith("ln_final.bias", "ln_final.weight", "logit_scale", "positional_embedding")
          .doesNotContain("__metadata__");
      assertThat(r.metadata()).containsExactly(Map.entry("format", "openai-clip"));
      assertThat(r.info("positional_embedding"))
          .isEqualTo(new TensorInfo("positional_embedding", TensorDType.F32, new long[] {77, 128}));
      assertThat(r.readFloats("positional_embedding")).hasSize(77 * 128);
      assertThat(r.readFloats("logit_scale")).hasSize(1);
    }
  }

  @Test
  void readsValuesAndGaps() throws IOException {
    // a gap before "b" is tolerated: only overlaps are refused
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[12,20]},"
            + "\"e\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[4,4]}}";
    byte[] data = new byte[20];
    System.arraycopy(floatsLe(1.5f, -2f), 0, data, 0, 8);
    System.arraycopy(TestFiles.longsLe(-7), 0, data, 12, 8);
    try (SafetensorsReader r =
        SafetensorsReader.open(safetensors(dir.resolve("ok"), header, data))) {
      assertThat(r.names()).containsExactly("a", "b", "e");
      assertThat(r.readFloats("a")).containsExactly(1.5f, -2f);
      assertThat(r.readLongs("b")).containsExactly(-7L);
      assertThat(r.readFloats("b")).containsExactly(-7f);
      assertThat(r.readFloats("e")).isEmpty();
      assertThat(r.metadata()).isEmpty();
    }
  }

  @Test
  void fileShorterThanEightBytes() throws IOException {
    Path f = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
    assertRejected(f).hasMessageContaining("shorter than the 8-byte header length");
  }

  @Test
  void hugeHeaderLengthIsRejectedBeforeAllocating() throws IOException {
    Path f = raw(dir.resolve("huge.safetensors"), 1L << 62, "{}".getBytes(), new byte[0]);
    long start = System.nanoTime();
    assertRejected(f).hasMessageContaining("header length 4611686018427387904 exceeds the limit");
    // allocating 2^62 bytes would throw OutOfMemoryError, not this exception; and it is immediate
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void headerLengthWithTopBitSetIsReadUnsigned() throws IOException {
    Path f = raw(dir.resolve("neg.safetensors"), -1L, "{}".getBytes(), new byte[0]);
    assertRejected(f).hasMessageContaining("header length 18446744073709551615 exceeds the limit");
  }

  @Test
  void headerLengthBeyondEndOfFile() throws IOException {
    Path f = raw(dir.resolve("eof.safetensors"), 1000, "{}".getBytes(), new byte[0]);
    assertRejected(f).hasMessageContaining("header length 1000 extends beyond the end of the file");
  }

  @Test
  void headerNotJson() throws IOException {
    Path f = safetensors(dir.resolve("bad.safetensors"), "{\"w\": [1, 2", new byte[0]);
    assertRejected(f).hasMessageContaining("header is not valid JSON");
  }

  @Test
  void headerWithTrailingGarbage() throws IOException {
    Path f = safetensors(dir.resolve("trail.safetensors"), "{} x", new byte[0]);
    assertRejected(f).hasMessageContaining("header is not valid JSON");
  }

  @Test
  void headerNotAnObject() throws IOException {
    Path f = safetensors(dir.resolve("arr.safetensors"), "[1, 2]", new byte[0]);
    assertRejected(f).hasMessageContaining("header is not a JSON object");
  }

  @Test
  void entryNotAnObject() throws IOException {
    Path f = safetensors(dir.resolve("e.safetensors"), "{\"w\": 3}", new byte[0]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("not a JSON object");
  }

  @Test
  void entryMissingDtype() throws IOException {
    Path f =
        safetensors(
            dir.resolve("nodtype.safetensors"),
            "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("'dtype'");
  }

  @Test
  void entryMissingDataOffsets() throws IOException {
    Path f =
        safetensors(
            dir.resolve("nooff.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("'data_offsets'");
  }

  @Test
  void shapeOfWrongType() throws IOException {
    Path f =
        safetensors(
            dir.resolve("shape.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("'shape'");
  }

  @Test
  void shapeWithFractionalDimension() throws IOException {
    Path f =
        safetensors(
            dir.resolve("frac.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
            new byte[8]);
    assertRejected(f)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("not a 64-bit integer");
  }

  @Test
  void unknownDtype() throws IOException {
    Path f =
        safetensors(
            dir.resolve("f8.safetensors"),
            "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}",
            new byte[2]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("'F8_E4M3'");
  }

  @Test
  void negativeDimension() throws IOException {
    Path f =
        safetensors(
            dir.resolve("negdim.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("negative dimension");
  }

  @Test
  void byteCountDoesNotMatchShape() throws IOException {
    Path f =
        safetensors(
            dir.resolve("size.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
            new byte[8]);
    assertRejected(f)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("needs 12 bytes but data_offsets [0, 8] span 8");
  }

  @Test
  void shapeOverflowingByteCount() throws IOException {
    Path f =
        safetensors(
            dir.resolve("ovf.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}",
            new byte[0]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("overflows");
  }

  @Test
  void negativeOffset() throws IOException {
    Path f =
        safetensors(
            dir.resolve("negoff.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[-4,-4]}}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("tensor 'w'").hasMessageContaining("are negative");
  }

  @Test
  void beginAfterEnd() throws IOException {
    Path f =
        safetensors(
            dir.resolve("order.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
            new byte[8]);
    assertRejected(f)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("begin after they end");
  }

  @Test
  void endBeyondDataSection() throws IOException {
    Path f =
        safetensors(
            dir.resolve("beyond.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
            new byte[8]);
    assertRejected(f)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("end beyond the data section (8 bytes)");
  }

  @Test
  void overlappingTensors() throws IOException {
    Path f =
        safetensors(
            dir.resolve("overlap.safetensors"),
            "{" + OK_ENTRY + ",\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]);
    assertRejected(f)
        .hasMessageContaining("tensor 'v'")
        .hasMessageContaining("overlap those of tensor 'w'");
  }

  @Test
  void duplicateTensorName() throws IOException {
    Path f =
        safetensors(
            dir.resolve("dup.safetensors"), "{" + OK_ENTRY + "," + OK_ENTRY + "}", new byte[8]);
    assertRejected(f).hasMessageContaining("header is not valid JSON").hasMessageContaining("'w'");
  }

  @Test
  void metadataValueNotAString() throws IOException {
    Path f =
        safetensors(
            dir.resolve("meta.safetensors"),
            "{\"__metadata__\":{\"epoch\":3}," + OK_ENTRY + "}",
            new byte[8]);
    assertRejected(f).hasMessageContaining("__metadata__ value of 'epoch' is not a string");
  }

  @Test
  void tensorTooLargeForAnArray() throws IOException {
    long n = 1L << 31;
    String header =
        "{\"w\":{\"dtype\":\"U8\",\"shape\":[" + n + "],\"data_offsets\":[0," + n + "]}}";
    Path f = safetensors(dir.resolve("big.safetensors"), header, new byte[0]);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(raf.length() + n); // sparse: costs no disk space
    }
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.info("w").numel()).isEqualTo(n);
      assertThatThrownBy(() -> r.readFloats("w"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("tensor 'w'")
          .hasMessageContaining("too many for one Java array");
    }
  }

  @Test
  void unknownTensorAndWrongReadType() throws IOException {
    Path f = safetensors(dir.resolve("ok.safetensors"), "{" + OK_ENTRY + "}", new byte[8]);
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThatThrownBy(() -> r.info("nope"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("tensor 'nope'");
      assertThatThrownBy(() -> r.readLongs("w"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining("tensor 'w'")
          .hasMessageContaining("floating-point dtype F32");
    }
  }

  @Test
  void fileTruncatedAfterOpening() throws IOException {
    Path f = safetensors(dir.resolve("shrink.safetensors"), "{" + OK_ENTRY + "}", new byte[8]);
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(raf.length() - 4);
      }
      assertThatThrownBy(() -> r.readFloats("w"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining("tensor 'w'")
          .hasMessageContaining("truncated");
    }
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Path f) {
    return assertThatThrownBy(() -> SafetensorsReader.open(f).close())
        .isInstanceOf(TensorFormatException.class)
        .hasMessageStartingWith(f + ": ");
  }
}

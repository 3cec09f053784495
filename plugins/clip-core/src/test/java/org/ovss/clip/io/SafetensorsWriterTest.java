package org.ovss.clip.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.io.SafetensorsWriter.Tensor;

class SafetensorsWriterTest {

  @TempDir Path dir;

  @Test
  void roundTripsTensorsInOrder() {
    Path f = dir.resolve("t.safetensors");
    float[] w = {1f, -2.5f, 3.25f, Float.MIN_VALUE, Float.MAX_VALUE, -0f};
    SafetensorsWriter.write(
        f,
        List.of(
            Tensor.ofFloats("z.weight", new long[] {2, 3}, w),
            Tensor.ofLongs("a.ids", new long[] {3}, new long[] {Long.MIN_VALUE, 0, 1L << 40}),
            Tensor.ofInts("m.ints", new long[] {2}, new int[] {-5, 7}),
            Tensor.ofFloats("scalar", new long[0], new float[] {4.5f})),
        Map.of());
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.names()).containsExactly("z.weight", "a.ids", "m.ints", "scalar");
      assertThat(r.info("z.weight").shape()).containsExactly(2, 3);
      assertThat(r.readFloats("z.weight")).containsExactly(w);
      assertThat(r.info("a.ids").dtype()).isEqualTo(TensorDType.I64);
      assertThat(r.readLongs("a.ids")).containsExactly(Long.MIN_VALUE, 0, 1L << 40);
      assertThat(r.info("m.ints").dtype()).isEqualTo(TensorDType.I32);
      assertThat(r.readLongs("m.ints")).containsExactly(-5, 7);
      assertThat(r.readFloats("m.ints")).containsExactly(-5f, 7f);
      assertThat(r.info("scalar").shape()).isEmpty();
      assertThat(r.readFloats("scalar")).containsExactly(4.5f);
      assertThat(r.metadata()).isEmpty();
    }
  }

  @Test
  void halfAndBfloat16ConvertExactly() {
    int[] halfBits = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x3555};
    float[] expected = {
      1f,
      -2f,
      65504f,
      0x1p-24f, // smallest subnormal
      0x3ffp-24f, // largest subnormal
      -0f,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      0.33325195f
    };
    int[] bf16Bits = {0x3f80, 0xc0a0, 0x7f80, 0x3eab};
    float[] bf16Expected = {1f, -5f, Float.POSITIVE_INFINITY, 0.333984375f};
    Path f = dir.resolve("half.safetensors");
    SafetensorsWriter.write(
        f,
        List.of(
            new Tensor("h", TensorDType.F16, new long[] {9}, shorts(halfBits)),
            new Tensor("b", TensorDType.BF16, new long[] {4}, shorts(bf16Bits)),
            new Tensor("nan", TensorDType.F16, new long[] {1}, shorts(0x7e00))),
        Map.of());
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.readFloats("h")).containsExactly(expected);
      assertThat(Float.floatToRawIntBits(r.readFloats("h")[5])).isEqualTo(0x80000000);
      assertThat(r.readFloats("b")).containsExactly(bf16Expected);
      assertThat(r.readFloats("nan")[0]).isNaN();
    }
  }

  @Test
  void roundTripsMetadataFirstInAPaddedHeader() throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("note", "ünïcode \"quoted\"");
    Path f = dir.resolve("m.safetensors");
    SafetensorsWriter.write(
        f, List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {2f})), meta);
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.metadata()).containsExactlyEntriesOf(meta);
      assertThat(r.readFloats("x")).containsExactly(2f);
    }
    byte[] bytes = Files.readAllBytes(f);
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
    assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\",");
    assertThat(header.stripTrailing()).endsWith("}");
    assertThat(bytes).hasSize(8 + (int) headerLength + 4);
  }

  @Test
  void replacesAtomicallyLeavingNoTemporaryFile() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Files.writeString(f, "old content");
    SafetensorsWriter.write(
        f, List.of(Tensor.ofFloats("x", new long[] {2}, new float[] {1, 2})), null);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(f);
    }
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.readFloats("x")).containsExactly(1f, 2f);
    }
  }

  @Test
  void failedWriteLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("sub"); // a non-empty directory cannot be replaced by a file
    Files.createDirectory(target);
    Files.writeString(target.resolve("keep"), "x");
    assertThatThrownBy(
            () ->
                SafetensorsWriter.write(
                    target, List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {1})), null))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(target.toString());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void rejectsInconsistentTensors() {
    assertThatThrownBy(() -> Tensor.ofFloats("x", new long[] {3}, new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tensor 'x'");
    Tensor a = Tensor.ofFloats("a", new long[] {1}, new float[1]);
    assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("d"), List.of(a, a), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
    Tensor reserved = Tensor.ofFloats("__metadata__", new long[] {1}, new float[1]);
    assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("r"), List.of(reserved), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tensorDataIsCapturedAtConstruction() {
    ByteBuffer data = ByteBuffer.wrap(TestFiles.floatsLe(9f, 1f, 2f)).position(4);
    Tensor t = new Tensor("t", TensorDType.F32, new long[] {2}, data);
    data.position(12);
    Path f = dir.resolve("c.safetensors");
    SafetensorsWriter.write(f, List.of(t), Map.of());
    try (SafetensorsReader r = SafetensorsReader.open(f)) {
      assertThat(r.readFloats("t")).containsExactly(1f, 2f);
    }
  }

  private static ByteBuffer shorts(int... bits) {
    return ByteBuffer.wrap(TestFiles.shortsLe(bits));
  }
}

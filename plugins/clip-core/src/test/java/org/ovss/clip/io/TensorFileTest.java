package org.ovss.clip.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileTest {

  @TempDir Path dir;

  @Test
  void detectsFormatFromContentNotName() throws IOException {
    Path parity = TestFiles.parityDir();
    Path jitRenamed = Files.copy(parity.resolve("weights-openai-jit.pt"), dir.resolve("w.bin"));
    Path stRenamed = Files.copy(parity.resolve("weights-hf.safetensors"), dir.resolve("w.pt"));
    try (TensorFile jit = TensorFile.open(jitRenamed);
        TensorFile st = TensorFile.open(stRenamed)) {
      assertThat(jit).isInstanceOf(TorchArchiveReader.class);
      assertThat(jit.names()).contains("logit_scale");
      assertThat(st).isInstanceOf(SafetensorsReader.class);
      assertThat(st.metadata()).containsEntry("format", "huggingface-clip");
      assertThat(st.readFloats("logit_scale")).isEqualTo(jit.readFloats("logit_scale"));
    }
  }

  @Test
  void readsIntoADirectBufferAtItsPositionInEveryFormat() throws IOException {
    Path parity = TestFiles.parityDir();
    for (String file : new String[] {"weights-openai-jit.pt", "weights-hf.safetensors"}) {
      try (TensorFile f = TensorFile.open(parity.resolve(file))) {
        String name = f.names().stream().filter(n -> f.info(n).numel() > 8 && !f.info(n).dtype().isInteger())
            .findFirst().orElseThrow();
        float[] expected = f.readFloats(name);
        FloatBuffer out = ByteBuffer.allocateDirect((expected.length + 5) * Float.BYTES)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
        out.position(3);
        f.readFloats(name, out);
        assertThat(out.position()).as(file + ": position unchanged").isEqualTo(3);
        float[] got = new float[expected.length];
        out.get(3, got);
        assertThat(got).as(file + " " + name).containsExactly(expected);
        assertThat(out.get(expected.length + 3)).as("past the tensor").isZero();
        FloatBuffer small = FloatBuffer.allocate(expected.length - 1);
        assertThatThrownBy(() -> f.readFloats(name, small)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(name).hasMessageContaining("room for " + (expected.length - 1));
      }
    }
  }

  @Test
  void refusesLegacyTorchPickle() throws IOException {
    Path f =
        Files.write(dir.resolve("old.pt"), new PickleWriter().proto(2).emptyDict().stop().bytes());
    assertThatThrownBy(() -> TensorFile.open(f))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageStartingWith(f + ": ")
        .hasMessageContaining("legacy");
  }

  @Test
  void refusesUnknownContent() throws IOException {
    Path f = Files.writeString(dir.resolve("x.txt"), "hello, world");
    assertThatThrownBy(() -> TensorFile.open(f))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageStartingWith(f + ": ")
        .hasMessageContaining("neither a safetensors file nor a torch zip archive");
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    assertThatThrownBy(() -> TensorFile.open(empty)).isInstanceOf(TensorFormatException.class);
  }

  @Test
  void tensorInfoComparesShapeContents() {
    TensorInfo a = new TensorInfo("x", TensorDType.F32, new long[] {2, 3});
    long[] shape = {2, 3};
    TensorInfo b = new TensorInfo("x", TensorDType.F32, shape);
    shape[0] = 9;
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).isEqualTo("x F32[2, 3]");
    assertThat(a.numel()).isEqualTo(6);
    assertThat(new TensorInfo("s", TensorDType.I8, new long[0]).numel()).isEqualTo(1);
    assertThatThrownBy(() -> TensorDType.fromSafetensors("F8_E5M2"))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("F8_E5M2");
  }
}

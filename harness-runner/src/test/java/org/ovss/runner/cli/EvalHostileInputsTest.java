package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.model.ClipPresets;
import org.ovss.runner.eval.EvalCheckpoint;
import org.ovss.runner.eval.RunLock;

/**
 * Hostile and broken inputs to {@code ovss eval} end in one clear line on stderr, exit status 2, and no partial
 * output: no results.json, no temporary file, no lock left behind (only complete files: predictions of the images
 * before the bad one and a checkpoint).
 */
class EvalHostileInputsTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void aTruncatedImageInTheSplitStopsTheRunNamingItAndWritesNoResults() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 3L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a", "b", "c"), 40, 52);
    Path cut = root.resolve("JPEGImages/b.jpg");
    byte[] bytes = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    Path out = dir.resolve("run");
    assertThat(eval(weights, root, out)).isEqualTo(2);
    assertThat(console.err()).contains("error: cannot decode image " + cut.toAbsolutePath());
    assertNoOutputFiles(out);
  }

  @Test
  void weightsWithNaNOrALyingHeaderAreRefusedNamingTheProblem() throws Exception {
    Path good = ClipPresets.writeRandom("tiny", 3L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a"), 40, 52);
    Path nan = dir.resolve("nan.safetensors");
    try (TensorFile t = TensorFile.open(good)) {
      List<SafetensorsWriter.Tensor> tensors = t.names().stream().map(n -> {
        float[] v = t.readFloats(n);
        if (n.equals("visual.proj")) {
          v[3] = Float.POSITIVE_INFINITY;
        }
        return SafetensorsWriter.Tensor.ofFloats(n, t.info(n).shape(), v);
      }).toList();
      SafetensorsWriter.write(nan, tensors, t.metadata());
    }
    Path out = dir.resolve("run");
    assertThat(eval(nan, root, out)).isEqualTo(2);
    assertThat(console.err()).contains("nan.safetensors").contains("'visual.proj'").contains("non-finite value (Infinity)");
    assertNoOutputFiles(out);

    // 2^40 header bytes announced in a 16-byte file: refused before anything of that size is allocated.
    Path lying = Files.write(dir.resolve("lying.safetensors"),
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).put("{}      ".getBytes()).array());
    assertThat(eval(lying, root, out)).isEqualTo(2);
    assertThat(console.err()).contains("lying.safetensors").contains("exceeds the limit");
    assertNoOutputFiles(out);
  }

  @Test
  void aSecondRunIntoADirectoryInUseIsRefusedNamingTheOwner() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 3L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a"), 40, 52);
    Path out = Files.createDirectories(dir.resolve("run"));
    try (RunLock held = RunLock.acquire(out, System.err)) {
      assertThat(eval(weights, root, out)).isEqualTo(2);
    }
    assertThat(console.err()).contains("is in use by another run (pid " + ProcessHandle.current().pid());
    assertThat(out.resolve("results.json")).doesNotExist();
  }

  private static int eval(Path weights, Path root, Path out) {
    return Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", out.toString(), "--save-predictions",
        "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts", "a-photo-of");
  }

  private static void assertNoOutputFiles(Path out) throws Exception {
    assertThat(out.resolve("results.json")).doesNotExist();
    if (!Files.exists(out)) {
      return;
    }
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()))
          .as("files left in %s", out)
          // complete files only: the images before the bad one, and the checkpoint to resume from once it is fixed
          .allMatch(p -> (p.startsWith("predictions/") && p.endsWith(".png") && !p.contains(".tmp"))
              || p.equals(EvalCheckpoint.FILE))
          .doesNotContain(RunLock.FILE);
    }
  }
}

package org.ovss.clip.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovss.api.Execution;
import org.ovss.clip.ParityFixture;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.weights.ClipWeights;

/**
 * The exported towers on ONNX Runtime against the reference outputs of {@code io.safetensors}: every last block,
 * positional interpolation on a larger image, and the text tower, within 1e-4 for each file of the tiny CLIP.
 */
class OnnxParityTest {
  private static final String IO = "io.safetensors";
  /**
   * ONNX Runtime fp32 on {@code -Dovss.test.device} (default cpu) with {@code -Dovss.test.ep} (cuda or tensorrt on a
   * GPU): {@code scripts/gpu-check.sh} runs these tests on a GPU machine.
   */
  static final Execution ORT_FP32 = testExecution(Execution.Precision.FP32);

  static Execution testExecution(Execution.Precision precision) {
    String ep = System.getProperty("ovss.test.ep");
    return new Execution(Execution.Engine.ONNXRUNTIME, precision, System.getProperty("ovss.test.device", "cpu"),
        ep == null || ep.isBlank() ? null : ep);
  }

  @TempDir Path cacheDir;

  @BeforeAll
  static void clipFixtureSet() {
    ParityFixture.assumeClipFixtureSet();
  }

  static Iterable<String> weights() {
    return ParityFixture.weightFiles();
  }

  @ParameterizedTest
  @MethodSource("weights")
  void everyEncoderOutputMatchesTheReference(String weightsFile) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve(weightsFile), m, ClipWeights.Heads.DEFAULT);
      try (OnnxClipTowers towers = new OnnxClipTowers(model, ORT_FP32, new OnnxCache(cacheDir))) {
        NDArray images = tensor(m, "images");
        check(towers.imageTokens(images, AttentionMode.VANILLA), "dense_vanilla", weightsFile);
        check(towers.imageTokens(images, AttentionMode.CSA), "dense_csa", weightsFile);
        check(towers.imageTokens(images, AttentionMode.IDENTITY), "dense_maskclip", weightsFile);
        check(towers.imageTokens(tensor(m, "images_large"), AttentionMode.CSA), "dense_csa_large", weightsFile);
        NDArray cls = towers.imageTokens(images, AttentionMode.VANILLA).get(":, 0, :");
        check(cls, "image_embeds", weightsFile);
        long[] ids = ParityFixture.readLongs(IO, "text_ids");
        int len = model.config().contextLength();
        int[] ints = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
          ints[i] = Math.toIntExact(ids[i]);
        }
        check(towers.text(m.create(ints, new Shape(ids.length / len, len))), "text_embeds", weightsFile);
      }
    }
  }

  @Test
  void exportedModelsAreCachedPerModeAndSizeAndReused() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve("weights-openai.safetensors"), m, ClipWeights.Heads.DEFAULT);
      NDArray images = tensor(m, "images");
      try (OnnxClipTowers towers = new OnnxClipTowers(model, ORT_FP32, new OnnxCache(cacheDir))) {
        towers.imageTokens(images, AttentionMode.CSA);
        towers.imageTokens(images, AttentionMode.IDENTITY);
      }
      List<Path> files = list();
      assertThat(files).hasSize(2);
      assertThat(files.get(0).getFileName().toString()).matches("[0-9a-f]{20}-image-csa-\\d+x\\d+-h\\d+-fp32-v\\d+\\.onnx");
      long modified = Files.getLastModifiedTime(files.get(0)).toMillis();
      // a second instance (another run) loads the cached files and writes nothing
      try (OnnxClipTowers towers = new OnnxClipTowers(model, ORT_FP32, new OnnxCache(cacheDir))) {
        check(towers.imageTokens(images, AttentionMode.CSA), "dense_csa", "cached");
      }
      assertThat(list()).isEqualTo(files);
      assertThat(Files.getLastModifiedTime(files.get(0)).toMillis()).isEqualTo(modified);
    }
  }

  private List<Path> list() throws Exception {
    try (var s = Files.list(cacheDir)) {
      return s.sorted().toList();
    }
  }

  private static void check(NDArray actual, String name, String what) {
    ParityFixture.Tensor expected = ParityFixture.read(IO, name);
    assertThat(actual.getShape()).as(name + " shape").isEqualTo(new Shape(expected.shape()));
    double err = ParityFixture.maxAbsDiff(actual.toFloatArray(), expected.values());
    System.out.printf("onnx parity %-40s max abs error %.3g%n", what + " " + name, err);
    assertThat(err).as(what + " " + name + " max abs error").isLessThanOrEqualTo(1e-4);
  }

  static NDArray tensor(NDManager m, String name) {
    ParityFixture.Tensor t = ParityFixture.read(IO, name);
    return m.create(t.values(), new Shape(t.shape()));
  }
}

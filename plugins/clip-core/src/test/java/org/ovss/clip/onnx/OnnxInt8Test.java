package org.ovss.clip.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Execution;
import org.ovss.clip.ParityFixture;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.weights.ClipWeights;

/** int8 towers: the quantisation arithmetic by hand, and the int8 outputs close to fp32 on the tiny CLIP. */
class OnnxInt8Test {
  private static final Execution INT8 = OnnxParityTest.testExecution(Execution.Precision.INT8);

  @TempDir Path cacheDir;

  @BeforeAll
  static void clipFixtureSet() {
    ParityFixture.assumeClipFixtureSet();
  }

  @Test
  void weightsAreQuantisedSymmetricallyPerOutputChannel() {
    // rows are output channels: max |w| 1.27 -> scale 0.01; max 0.254 -> 0.002; all zero -> scale 1
    float[] w = {1.27f, -0.5f, 0.333f, 0.1f, -0.254f, 0.0011f, 0f, 0f, 0f};
    Int8Weights q = Int8Weights.quantize(w, 3, 3);
    assertThat(q.scales()[0]).isCloseTo(0.01f, org.assertj.core.data.Offset.offset(1e-8f));
    assertThat(q.scales()[1]).isCloseTo(0.002f, org.assertj.core.data.Offset.offset(1e-8f));
    assertThat(q.scales()[2]).isEqualTo(1f);
    assertThat(q.values()).containsExactly(new byte[] {127, -50, 33, 50, -127, 1, 0, 0, 0});
    // MatMulInteger's right operand is [in, out]
    assertThat(q.transposed()).containsExactly(new byte[] {127, 50, 0, -50, -127, 0, 33, 1, 0});
  }

  @Test
  void int8TowersStayCloseToFp32() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve("weights-openai.safetensors"), m, ClipWeights.Heads.DEFAULT);
      NDArray images = OnnxParityTest.tensor(m, "images");
      try (OnnxClipTowers fp32 = new OnnxClipTowers(model, OnnxParityTest.ORT_FP32, new OnnxCache(cacheDir));
          OnnxClipTowers int8 = new OnnxClipTowers(model, INT8, new OnnxCache(cacheDir))) {
        for (AttentionMode mode : AttentionMode.values()) {
          NDArray a = fp32.imageTokens(images, mode);
          NDArray b = int8.imageTokens(images, mode);
          double cos = minCosine(a, b);
          System.out.printf("int8 vs fp32 %-8s min cosine per token %.5f%n", mode, cos);
          assertThat(cos).as(mode + " min cosine").isGreaterThan(0.99);
          assertThat(ParityFixture.maxAbsDiff(a.toFloatArray(), b.toFloatArray())).as(mode + " differs at all").isGreaterThan(0);
        }
      }
    }
  }

  static double minCosine(NDArray a, NDArray b) {
    long d = a.getShape().get(a.getShape().dimension() - 1);
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    double min = 1;
    for (int r = 0; r < x.length / d; r++) {
      double dot = 0, nx = 0, ny = 0;
      for (int i = 0; i < d; i++) {
        int k = (int) (r * d + i);
        dot += x[k] * y[k];
        nx += x[k] * x[k];
        ny += y[k] * y[k];
      }
      min = Math.min(min, dot / Math.sqrt(nx * ny));
    }
    return min;
  }
}

package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ovss.api.Execution;
import org.ovss.api.MethodConfig;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;
import org.ovss.nn.Bilinear;
import org.ovss.runner.MethodRegistry;

/**
 * SCLIP slide inference against {@code slide-io.safetensors} (-Dovss.parity.dir): window average,
 * resized logits, class probabilities with synonym max, and both label maps.
 */
class SlideParityTest {

  private static Path dir() {
    return Fixtures.parityDir("clip-tiny");
  }

  /**
   * Both engines of the encoders: PyTorch and ONNX Runtime (fp32), on {@code -Dovss.test.device} (default cpu) with
   * {@code -Dovss.test.ep} for ONNX Runtime on a GPU ({@code scripts/gpu-check.sh}).
   */
  @ParameterizedTest
  @EnumSource(Execution.Engine.class)
  void slideInferenceAndPostprocessingMatchTheReference(Execution.Engine engine) throws Exception {
    JsonNode cfg = new ObjectMapper().readTree(dir().resolve("slide-config.json").toFile());
    int crop = cfg.get("crop").asInt();
    int stride = cfg.get("stride").asInt();
    int outH = cfg.get("output_size").get(0).asInt();
    int outW = cfg.get("output_size").get(1).asInt();
    double logitScale = cfg.get("logit_scale").asDouble();
    double probThd = cfg.get("prob_thd").asDouble();
    double areaThd = cfg.get("area_thd").asDouble();
    try (TensorFile io = TensorFile.open(dir().resolve("slide-io.safetensors"));
        NDManager m = NDManager.newBaseManager();
        SegmentationMethod sclip = MethodRegistry.discover().get("sclip")
            .open(MethodConfig.of(dir().resolve("weights-openai.safetensors"), null)
                .withExecution(new Execution(engine, Execution.Precision.FP32, System.getProperty("ovss.test.device", "cpu"),
                    engine == Execution.Engine.ONNXRUNTIME ? System.getProperty("ovss.test.ep") : null)))) {
      NDArray image = m.create(io.readFloats("image"), new Shape(io.info("image").shape()));
      long[] qc = io.readLongs("query_class");
      int[] queryClass = new int[qc.length];
      int classCount = 0;
      for (int i = 0; i < qc.length; i++) {
        queryClass[i] = (int) qc[i];
        classCount = Math.max(classCount, queryClass[i] + 1);
      }
      QueryEmbeddings queries = new QueryEmbeddings(
          m.create(io.readFloats("queries"), new Shape(io.info("queries").shape())), queryClass, classCount);

      NDArray avg = SlideInference.run(sclip, queries, image, crop, stride, 4);
      close(avg.toFloatArray(), io.readFloats("window_logits_avg"), 1e-4, "window_logits_avg");

      NDArray logits = Bilinear.resize(avg, outH, outW, false);
      close(logits.toFloatArray(), io.readFloats("logits"), 1e-4, "logits");
      // The evaluator's path: averaging and the resize to the original size in one go, windows one by one or batched.
      float[] oneByOne = null;
      for (int batch : new int[] {1, 16}) {
        NDArray direct = SlideInference.run(w -> sclip.segment(w, queries), queries.queryCount(), image, crop, stride,
            batch, outH, outW);
        close(direct.toFloatArray(), io.readFloats("logits"), 1e-4, "logits, batch " + batch);
        if (oneByOne == null) {
          oneByOne = direct.toFloatArray();
        } else {
          close(direct.toFloatArray(), oneByOne, 1e-5, "batched vs one by one");
        }
      }

      NDArray probs = ClassScores.classProbabilities(logits, logitScale, queryClass, classCount);
      close(probs.toFloatArray(), io.readFloats("class_probs"), 1e-4, "class_probs");
      assertLabels(ClassScores.labels(probs, probThd), io.readLongs("pred_prob_thd"), "pred_prob_thd");
      assertThat(ClassScores.topQueryClass(logits, 0, queryClass)).as("labels without a threshold, from the logits")
          .isEqualTo(ClassScores.labels(probs, 0));

      // The evaluator's banded path: scores a few rows at a time, pixel-major, straight to labels.
      SlideInference.Aggregation agg = SlideInference.runAll(w -> sclip.segment(w, queries), queries.queryCount(),
          java.util.List.of(image), crop, stride, 16, java.util.List.of(new int[] {outH, outW})).get(0);
      float[] banded = new float[queries.queryCount() * outH * outW];
      int[] bandedProbLabels = new int[outH * outW];
      int[] bandedTopLabels = new int[outH * outW];
      for (int y0 = 0; y0 < outH; y0 += 3) {
        int y1 = Math.min(outH, y0 + 3);
        try (NDManager band = m.newSubManager()) {
          NDArray rows = agg.band(band, y0, y1); // [(y1 - y0) * outW, Q]
          NDArray byQuery = rows.transpose().reshape(queries.queryCount(), y1 - y0, outW);
          float[] part = byQuery.toFloatArray();
          int n = (y1 - y0) * outW;
          for (int q = 0; q < queries.queryCount(); q++) {
            System.arraycopy(part, q * n, banded, q * outH * outW + y0 * outW, n);
          }
          NDArray bandProbs = ClassScores.classProbabilities(rows.transpose(), logitScale, queryClass, classCount);
          System.arraycopy(ClassScores.labels(bandProbs, probThd), 0, bandedProbLabels, y0 * outW, n);
          System.arraycopy(ClassScores.topQueryClass(rows, 1, queryClass), 0, bandedTopLabels, y0 * outW, n);
        }
      }
      close(banded, io.readFloats("logits"), 1e-4, "logits, in bands");
      assertLabels(bandedProbLabels, io.readLongs("pred_prob_thd"), "pred_prob_thd, in bands");
      assertThat(bandedTopLabels).as("labels without a threshold, in bands").isEqualTo(ClassScores.labels(probs, 0));

      NDArray area = ClassScores.applyAreaThreshold(probs, areaThd);
      close(area.toFloatArray(), io.readFloats("class_probs_area"), 1e-4, "class_probs_area");
      assertLabels(ClassScores.labels(area, probThd), io.readLongs("pred"), "pred");
    }
  }

  private static void close(float[] actual, float[] expected, double tol, String what) {
    assertThat(actual).as(what + " length").hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    System.out.printf("parity slide %-18s max abs error %.3g%n", what, max);
    assertThat(max).as(what + " max abs error").isLessThanOrEqualTo(tol);
  }

  private static void assertLabels(int[] actual, long[] expected, String what) {
    assertThat(actual).as(what + " length").hasSize(expected.length);
    int differ = 0;
    for (int i = 0; i < actual.length; i++) {
      differ += actual[i] == expected[i] ? 0 : 1;
    }
    assertThat(differ).as(what + ": pixels that differ").isZero();
  }
}

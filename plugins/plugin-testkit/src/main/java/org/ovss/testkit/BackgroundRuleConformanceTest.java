package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InputSpec;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.ScoresWithBackground;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.eval.EvalRun;

/**
 * Checks for a method with a background rule of its own ({@link ScoresWithBackground}): background-and-query scores
 * of the documented shape at window resolution, a window's scores independent of its batch, a background share that
 * moves one way only as the threshold grows, and an evaluation on {@code voc21} (a dataset with a background class)
 * through the harness's evaluator with the rule switched on by the protocol's {@code bgThreshold}.
 */
public abstract class BackgroundRuleConformanceTest {

  @TempDir protected Path tempDir;

  /** The provider under test; its method must implement {@link ScoresWithBackground}. */
  protected abstract MethodProvider provider();

  /** A configuration that opens the method with weights (a random tiny model is enough). */
  protected abstract MethodConfig config(Path tempDir);

  /** Thresholds in increasing order, in the method's own unit (probability, nats, sigmas...). */
  protected abstract double[] thresholds();

  /** Protocol settings of the voc21 evaluation; the middle threshold switches the rule on. */
  protected Map<String, String> protocolOverrides() {
    return Map.of("shortSide", "48", "crop", "32", "stride", "16", "bgThreshold",
        Double.toString(thresholds()[thresholds().length / 2]));
  }

  private static NDArray windows(NDManager manager, InputSpec spec, int count) {
    int side = spec.resolution() / spec.patchSize() * spec.patchSize();
    Random random = new Random(11);
    float[] px = new float[count * 3 * side * side];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) random.nextGaussian();
    }
    return manager.create(px, new Shape(count, 3, side, side));
  }

  @Test
  void backgroundScoresHaveTheirShapeAndMoveOneWayWithTheThreshold() {
    try (SegmentationMethod m = provider().open(config(tempDir)); NDManager manager = NDManager.newBaseManager()) {
      assertThat(m).as("the method implements ScoresWithBackground").isInstanceOf(ScoresWithBackground.class);
      ScoresWithBackground bg = (ScoresWithBackground) m;
      QueryEmbeddings q = m.encodeText(List.of(ClassPrompt.of("dog"), ClassPrompt.of("sky"), ClassPrompt.of("grass")),
          new PromptSet("test", List.of("a photo of a {}.")));
      NDArray windows = windows(manager, m.inputSpec(), 2);
      long side = windows.getShape().get(2);
      List<Double> shares = new ArrayList<>();
      for (double t : thresholds()) {
        NDArray scores = bg.segmentWithBackground(windows, q, t);
        assertThat(scores.getShape()).isEqualTo(new Shape(2, 1 + q.queryCount(), side, side));
        float[] s = scores.toFloatArray();
        for (float v : s) {
          assertThat(v).isFinite();
        }
        float[] single = bg.segmentWithBackground(windows.get("1:2"), q, t).toFloatArray();
        int half = s.length / 2;
        for (int i = 0; i < single.length; i++) {
          assertThat(Math.abs(single[i] - s[half + i])).as("batched vs single score " + i).isLessThan(1e-4f);
        }
        shares.add(backgroundShare(s, 1 + q.queryCount(), (int) (side * side)));
      }
      boolean up = true;
      boolean down = true;
      for (int i = 1; i < shares.size(); i++) {
        up &= shares.get(i) >= shares.get(i - 1);
        down &= shares.get(i) <= shares.get(i - 1);
      }
      assertThat(up || down).as("background share per threshold %s", shares).isTrue();
    }
  }

  /** Share of positions (both windows) whose best channel is the background channel 0. */
  private static double backgroundShare(float[] s, int channels, int positions) {
    int background = 0;
    int windows = s.length / (channels * positions);
    for (int b = 0; b < windows; b++) {
      for (int n = 0; n < positions; n++) {
        int best = 0;
        for (int c = 1; c < channels; c++) {
          if (s[(b * channels + c) * positions + n] > s[(b * channels + best) * positions + n]) {
            best = c;
          }
        }
        background += best == 0 ? 1 : 0;
      }
    }
    return background / (double) (windows * positions);
  }

  @Test
  void evaluatesAVocDatasetWithBackgroundThroughTheHarnessEvaluator() throws IOException {
    Path root = VocLayout.write(tempDir.resolve("VOC2012"), List.of("2007_000001", "2007_000002"), 40, 52);
    Path out = tempDir.resolve("run");
    EvalRun.run(new EvalRun.Request(provider(), config(tempDir), DatasetSpecs.get("voc21"), root,
        provider().info().defaultProtocol(), protocolOverrides(), null, false, 1, out),
        new PrintStream(OutputStream.nullOutputStream()));
    JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(r.get("classes")).hasSize(21);
    assertThat(r.get("protocol").get("bgThreshold").asDouble()).isEqualTo(thresholds()[thresholds().length / 2]);
    assertThat(r.get("metrics").get("mIoU").asDouble(Double.NaN)).isBetween(0.0, 100.0);
  }
}

package org.ovss.plugins.simseg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.ScoresWithBackground;
import org.ovss.api.SegmentationMethod;

/** Inference of a tiny random SimSeg: the background rule end to end, options, input spec. */
class SimsegMethodTest {
  @TempDir static Path dir;
  private static Path weights;

  @BeforeAll
  static void checkpoint() {
    weights = Tiny.checkpoint(dir.resolve("init"), 3L);
  }

  private static SegmentationMethod open(Map<String, String> options) {
    return new SimsegProvider().open(new MethodConfig(Optional.of(weights), Optional.empty(), options, 0L));
  }

  /** Windows of a square on a background, normalised with the method's mean/std: [b, 3, 32, 32]. */
  private static NDArray windows(NDManager m, InputSpec spec, int b) {
    int r = 32;
    float[] v = new float[b * 3 * r * r];
    Random random = new Random(5);
    float[] mean = spec.mean();
    float[] std = spec.std();
    for (int i = 0; i < b; i++) {
      float[] fg = {random.nextFloat(), random.nextFloat(), random.nextFloat()};
      float[] bg = {random.nextFloat(), random.nextFloat(), random.nextFloat()};
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < r; y++) {
          for (int x = 0; x < r; x++) {
            boolean inside = y >= 8 && y < 24 && x >= 6 + i && x < 20 + i;
            v[((i * 3 + c) * r + y) * r + x] = ((inside ? fg[c] : bg[c]) - mean[c]) / std[c];
          }
        }
      }
    }
    return m.create(v, new Shape(b, 3, r, r));
  }

  @Test
  void inputSpecIsTheModelsResolutionPatchAndTrainingNormalisation() {
    try (SegmentationMethod method = open(Map.of())) {
      InputSpec spec = method.inputSpec();
      assertThat(spec.resolution()).isEqualTo(32);
      assertThat(spec.patchSize()).isEqualTo(8);
      assertThat(spec.mean()).containsExactly(InputSpec.CLIP_MEAN);
      assertThat(spec.std()).containsExactly(InputSpec.CLIP_STD);
    }
  }

  @Test
  void theBackgroundRuleGivesALabelMapPaintingOnlyCandidates() {
    for (String crf : new String[] {"on", "off"}) {
      try (SegmentationMethod method = open(Map.of("crf", crf)); NDManager m = NDManager.newBaseManager()) {
        QueryEmbeddings q = method.encodeText(
            List.of(ClassPrompt.of("red"), new ClassPrompt("blue", List.of("blue", "blue square")), ClassPrompt.of("green")),
            PromptSet.named("a-photo-of"));
        NDArray w = windows(m, method.inputSpec(), 2);
        NDArray scores = ((ScoresWithBackground) method).segmentWithBackground(w, q, 1.0);
        assertThat(scores.getShape()).isEqualTo(new Shape(2, 1 + 4, 32, 32));
        float[] v = scores.toFloatArray();
        int n = 32 * 32;
        for (int b = 0; b < 2; b++) {
          for (int p = 0; p < n; p++) {
            assertThat(v[b * 5 * n + p]).as("background channel").isZero();
          }
        }
        // a window alone gives what it gives in a batch (nothing in the rule looks across windows)
        float[] alone = ((ScoresWithBackground) method).segmentWithBackground(w.get("1:2"), q, 1.0).toFloatArray();
        assertThat(alone).containsExactly(java.util.Arrays.copyOfRange(v, 5 * n, 10 * n));
        // a coefficient no class can pass: background everywhere
        float[] none = ((ScoresWithBackground) method).segmentWithBackground(w, q, 100.0).toFloatArray();
        assertThat(SimsegInference.argmax(java.util.Arrays.copyOfRange(none, 0, 5 * n), 5, n)).containsOnly(0);
      }
    }
  }

  @Test
  void aQueryMatchingTheImageItselfIsPaintedAndTheOthersAreNot() {
    // top 3 scores 1, -1, -1: mu + sigma = -1/3 + 1.1547 = 0.82, only the first passes
    try (SegmentationMethod method = open(Map.of("top-classes", "3")); NDManager m = NDManager.newBaseManager()) {
      SimsegMethod simseg = (SimsegMethod) method;
      NDArray w = windows(m, method.inputSpec(), 1);
      // query 0 is the window's own LoDA embedding (score 1), queries 1 and 2 point the opposite way (score -1)
      NDArray features = method.encodeImage(w); // [1, E, 4, 4]
      long e = features.getShape().get(1);
      NDArray tokens = features.reshape(1, e, 16).transpose(0, 2, 1);
      NDArray own = Loda.imageEmbedding(tokens, 5); // [1, E]
      NDArray embeddings = own.concat(own.neg(), 0).concat(own.neg(), 0); // [3, E]
      QueryEmbeddings q = new QueryEmbeddings(embeddings, new int[] {0, 1, 2}, 3);
      float[] v = simseg.segmentWithBackground(w, q, 1.0).toFloatArray();
      int n = 32 * 32;
      int[] labels = SimsegInference.argmax(v, 4, n);
      assertThat(labels).contains(1).doesNotContain(2, 3);
      for (int p = 0; p < n; p++) {
        assertThat(v[n + p]).as("the candidate's channel is +-score").isIn(1f, -1f, Math.nextDown(1f), -Math.nextDown(1f),
            Math.nextUp(1f), -Math.nextUp(1f));
        assertThat(v[2 * n + p]).isEqualTo(SimsegInference.NOT_SELECTED);
      }
    }
  }

  @Test
  void inferenceLeavesNoArraysInTheMethodsManager() {
    try (SegmentationMethod method = open(Map.of("crf", "off")); NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(List.of(ClassPrompt.of("red"), ClassPrompt.of("sky")), PromptSet.named("a-photo-of"));
      NDManager owner = q.embeddings().getManager();
      NDArray w = windows(m, method.inputSpec(), 1);
      method.segment(w, q);
      ((ScoresWithBackground) method).segmentWithBackground(w, q, 1.0);
      method.encodeImage(w);
      int before = owner.getManagedArrays().size();
      method.segment(w, q);
      ((ScoresWithBackground) method).segmentWithBackground(w, q, 1.0);
      method.encodeImage(w);
      assertThat(owner.getManagedArrays().size()).isEqualTo(before);
      assertThat(w.getManager()).isSameAs(m);
    }
  }

  @Test
  void encodeImageAndSegmentAgree() {
    try (SegmentationMethod method = open(Map.of()); NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(List.of(ClassPrompt.of("red"), ClassPrompt.of("sky")), PromptSet.named("a-photo-of"));
      NDArray w = windows(m, method.inputSpec(), 1);
      NDArray f = method.encodeImage(w); // [1, E, 4, 4]
      NDArray normed = f.div(f.norm(new int[] {1}, true));
      NDArray expected = q.embeddings().matMul(normed.reshape(f.getShape().get(1), 16)).reshape(1, 2, 4, 4);
      float[] got = method.segment(w, q).toFloatArray();
      float[] want = expected.toFloatArray();
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void theCrfPullsAMisplacedMaskOntoTheColourEdge() {
    int h = 40;
    int w = 40;
    int n = h * w;
    float[] rgb = new float[3 * n];
    float[] p = new float[n];
    int truth = 0;
    boolean[] square = new boolean[n];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        square[i] = y >= 10 && y < 30 && x >= 10 && x < 30;
        truth += square[i] ? 1 : 0;
        rgb[i] = square[i] ? 220 : 30; // red square on blue
        rgb[2 * n + i] = square[i] ? 30 : 200;
        // the coarse map is shifted by 3 pixels: right of the square and below it
        p[i] = y >= 13 && y < 33 && x >= 13 && x < 33 ? 0.6f : 0.4f;
      }
    }
    org.ovss.api.ImageContext image = new org.ovss.api.ImageContext(h, w, rgb, new float[3 * n]);
    boolean[] plain = SimsegMethod.binaryMask(null, p, h, w, null);
    boolean[] refined = SimsegMethod.binaryMask(SimsegMethod.denseCrf(Map.of()), p, h, w, image);
    double plainIoU = iou(plain, square);
    double refinedIoU = iou(refined, square);
    System.out.printf("densecrf: IoU with the coloured square %.3f without, %.3f with the CRF%n", plainIoU, refinedIoU);
    assertThat(refinedIoU).isGreaterThan(plainIoU + 0.1);
  }

  private static double iou(boolean[] a, boolean[] b) {
    int inter = 0;
    int union = 0;
    for (int i = 0; i < a.length; i++) {
      inter += a[i] && b[i] ? 1 : 0;
      union += a[i] || b[i] ? 1 : 0;
    }
    return (double) inter / union;
  }

  @Test
  void windowsAreUnNormalisedToTruncatedBytes() {
    float[] mean = {0.5f, 0.25f, 0f};
    float[] std = {0.5f, 0.25f, 1f};
    // pixel values 0.25, 0.75, 1.5 (clamped) -> 63.75, 191.25, 382.5 -> 63, 191, 255
    float[] normalized = {(0.25f - 0.5f) / 0.5f, (0.75f - 0.25f) / 0.25f, 1.5f};
    assertThat(SimsegMethod.rgb255(normalized, mean, std)).containsExactly(63f, 191f, 255f);
    // truncation, not rounding: 0.999 x 255 = 254.7
    assertThat(SimsegMethod.rgb255(new float[] {0.999f, 0, 0}, new float[] {0, 0, 0}, new float[] {1, 1, 1}))
        .containsExactly(254f, 0f, 0f);
  }

  @Test
  void optionsAreValidatedNamingTheOption() {
    assertThatThrownBy(() -> open(Map.of("bogus", "1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bogus").hasMessageContaining("top-classes").hasMessageContaining("crf.iterations");
    assertThatThrownBy(() -> open(Map.of("crf", "maybe"))).hasMessageContaining("crf must be on or off");
    assertThatThrownBy(() -> open(Map.of("crf.sxy", "3"))).hasMessageContaining("crf.sxy");
    assertThatThrownBy(() -> open(Map.of("top-classes", "-2"))).hasMessageContaining("top-classes");
    assertThatThrownBy(() -> open(Map.of("closing", "x"))).hasMessageContaining("closing");
    assertThatThrownBy(() -> open(Map.of("crf.iterations", "0"))).hasMessageContaining("iterations");
    try (SegmentationMethod method = open(Map.of("top-classes", "10", "crf.iterations", "1", "image-k", "2", "closing", "0"))) {
      assertThat(method.info().id()).isEqualTo("simseg");
    }
  }

  @Test
  void aMethodOpenedWithoutWeightsCanOnlyTrain() {
    try (SegmentationMethod method = new SimsegProvider().open(new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), 0L))) {
      assertThatThrownBy(method::inputSpec).hasMessageContaining("--weights");
    }
  }
}

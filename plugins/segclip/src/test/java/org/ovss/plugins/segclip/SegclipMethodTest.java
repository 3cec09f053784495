package org.ovss.plugins.segclip;

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
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.nn.Norms;

/** The method's outputs beyond the conformance contract: pixel-level logits, background, text averaging. */
class SegclipMethodTest {
  @TempDir static Path dir;
  private static SegclipMethod method;
  private static QueryEmbeddings queries;

  private static final List<ClassPrompt> VOCABULARY = List.of(
      ClassPrompt.of("dog"), ClassPrompt.of("cat"), ClassPrompt.of("sky"), ClassPrompt.of("road"),
      ClassPrompt.of("tree"), ClassPrompt.of("car"), ClassPrompt.of("person"));

  @BeforeAll
  static void open() {
    Path weights = Tiny.segclipFile(dir, 8L);
    method = (SegclipMethod) new SegclipProvider().open(MethodConfig.of(weights, Tiny.bpe()));
    queries = method.encodeText(VOCABULARY, PromptSet.named("a-photo-of"));
  }

  @AfterAll
  static void close() {
    method.close();
  }

  private static NDArray windows(NDManager m, int b, int h, int w, long seed) {
    Random random = new Random(seed);
    float[] v = new float[b * 3 * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return m.create(v, new Shape(b, 3, h, w));
  }

  @Test
  void segmentGivesPixelLevelLogitsThatDoNotDependOnTheBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray windows = windows(m, 2, 32, 32, 1L);
      NDArray logits = method.segment(windows, queries);
      assertThat(logits.getShape()).isEqualTo(new Shape(2, 7, 32, 32));
      float[] single = method.segment(windows.get("1:2"), queries).toFloatArray();
      float[] batched = logits.get("1:2").toFloatArray();
      for (int i = 0; i < single.length; i++) {
        assertThat(batched[i]).isCloseTo(single[i], Offset.offset(1e-5f));
      }
      // every pixel holds its group's row of P = softmax(top-5) * softmax: at most 5 classes are non-zero
      float[] v = logits.toFloatArray();
      for (int p = 0; p < 32 * 32; p++) {
        int nonZero = 0;
        for (int q = 0; q < 7; q++) {
          float x = v[q * 32 * 32 + p];
          assertThat(x).isBetween(0f, 1f);
          nonZero += x > 0 ? 1 : 0;
        }
        assertThat(nonZero).isLessThanOrEqualTo(SegclipInference.TOP_K);
      }
    }
  }

  @Test
  void windowsOffTheNativeSizeInterpolateThePositions() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = method.segment(windows(m, 1, 48, 40, 2L), queries);
      assertThat(logits.getShape()).isEqualTo(new Shape(1, 7, 48, 40));
      NDArray features = method.encodeImage(windows(m, 1, 48, 40, 2L));
      assertThat(features.getShape()).isEqualTo(new Shape(1, 32, 6, 5));
    }
  }

  @Test
  void backgroundChannelFollowsTheOfficialThresholdRule() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray windows = windows(m, 2, 32, 32, 3L);
      NDArray fg = method.segment(windows, queries);
      NDArray none = method.segmentWithBackground(windows, queries, 0);
      assertThat(none.getShape()).isEqualTo(new Shape(2, 8, 32, 32));
      assertThat(none.get(":, 0").sum().getFloat()).as("threshold 0: no background").isZero();
      SegclipTrainingTest.assertIdentical(none.get(":, 1:").toFloatArray(), fg.toFloatArray(), "foreground channels");
      // threshold 1 becomes the window's largest score: only pixels of groups reaching it stay foreground
      NDArray all = method.segmentWithBackground(windows, queries, 1.0);
      float[] bg = all.get(":, 0").toFloatArray();
      float[] best = fg.max(new int[] {1}).toFloatArray(); // [2, 32, 32]
      for (int b = 0; b < 2; b++) {
        float top = 0;
        for (int p = 0; p < 1024; p++) {
          top = Math.max(top, best[b * 1024 + p]);
        }
        for (int p = 0; p < 1024; p++) {
          assertThat(bg[b * 1024 + p]).isEqualTo(best[b * 1024 + p] < top ? 1f : 0f);
        }
      }
      assertThatThrownBy(() -> method.segmentWithBackground(windows, queries, Double.NaN))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void patchLevelLogitsAreTheGroupRowsOfEachPatch() {
    try (NDManager m = NDManager.newBaseManager();
        SegclipMethod patches = (SegclipMethod) new SegclipProvider().open(new MethodConfig(
            Optional.of(dir.resolve("tiny-segclip.safetensors")), Optional.of(Tiny.bpe()), Map.of("logits-at", "patches"), 0L))) {
      NDArray windows = windows(m, 1, 32, 32, 4L);
      NDArray grid = patches.segment(windows, queries);
      assertThat(grid.getShape()).isEqualTo(new Shape(1, 7, 4, 4));
      NDArray pixels = method.segment(windows, queries);
      // the resized map at a patch's centre weighs the patch itself by 15/16, so the pixel there almost
      // always takes the patch's group
      float[] g = grid.toFloatArray();
      float[] px = pixels.toFloatArray();
      int agree = 0;
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          agree += px[(y * 8 + 4) * 32 + x * 8 + 4] == g[y * 4 + x] ? 1 : 0;
        }
      }
      assertThat(agree).isGreaterThan(12);
    }
    assertThatThrownBy(() -> new SegclipProvider().open(new MethodConfig(Optional.empty(), Optional.empty(),
        Map.of("logits-at", "corners"), 0L))).isInstanceOf(InvalidInputException.class).hasMessageContaining("logits-at");
  }

  @Test
  void templatesAreAveragedBeforeTheOneNormalisation() {
    PromptSet two = new PromptSet("two", List.of("a photo of a {}.", "a drawing of the {}."));
    QueryEmbeddings q = method.encodeText(List.of(ClassPrompt.of("dog")), two);
    ClipTokenizer tok = ClipTokenizer.fromBpeGz(Tiny.bpe());
    int context = method.model().config().contextLength();
    try (NDManager m = NDManager.newBaseManager()) {
      int[] ids = new int[2 * context];
      System.arraycopy(tok.tokenize("a photo of a dog.", context), 0, ids, 0, context);
      System.arraycopy(tok.tokenize("a drawing of the dog.", context), 0, ids, context, context);
      NDArray e = method.model().encodeText(m.create(ids, new Shape(2, context)));
      float[] want = Norms.l2Normalize(e.mean(new int[] {0}, true)).toFloatArray();
      float[] got = q.embeddings().toFloatArray();
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i]).isCloseTo(want[i], Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void clipWeightsOnlyInitialiseTraining() {
    Path clip = Tiny.clip(dir, 9L);
    try (SegclipMethod m = (SegclipMethod) new SegclipProvider().open(MethodConfig.of(clip, Tiny.bpe()))) {
      assertThatThrownBy(m::inputSpec).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("plain CLIP weights").hasMessageContaining(clip.toString());
    }
  }
}

package org.ovss.plugins.simseg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;

/** LoDA pooling against values computed by hand, and the text tokens it pools. */
class LodaTest {

  /** One image, 4 tokens, 2 channels: channel 0 takes 1, 5, 3, 2; channel 1 takes 4, 4, 0, -1 (a tie at the top). */
  private static NDArray tokens(NDManager m) {
    return m.create(new float[] {1, 4, 5, 4, 3, 0, 2, -1}, new Shape(1, 4, 2));
  }

  @Test
  void topKMeanAveragesTheKLargestValuesOfEachChannelSeparately() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(Loda.topKMean(tokens(m), 1).toFloatArray()).containsExactly(5f, 4f);
      // k = 2: channel 0 takes tokens 1 and 2 (5, 3), channel 1 tokens 0 and 1 (the tie 4, 4): not one token set
      assertThat(Loda.topKMean(tokens(m), 2).toFloatArray()).containsExactly(4f, 4f);
      assertThat(Loda.topKMean(tokens(m), 3).toFloatArray()).usingComparatorWithPrecision(1e-6f)
          .containsExactly(10f / 3, 8f / 3);
      // more than the tokens: all of them
      assertThat(Loda.topKMean(tokens(m), 9).toFloatArray()).usingComparatorWithPrecision(1e-6f)
          .containsExactly(11f / 4, 7f / 4);
    }
  }

  @Test
  void tiesGiveTheSameMeanWhicheverTiedTokenIsTaken() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(new float[] {2, 2, 2, 1}, new Shape(1, 4, 1));
      assertThat(Loda.topKMean(t, 2).toFloatArray()).containsExactly(2f);
      assertThat(Loda.topKMean(t, 4).toFloatArray()).containsExactly(7f / 4);
    }
  }

  @Test
  void theGradientReachesOnlyTheSelectedValuesWithWeightOneOverK() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(new float[] {1, 4, 5, 0, 3, 2, 2, -1}, new Shape(1, 4, 2));
      t.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(Loda.topKMean(t, 2).sum());
      }
      // channel 0 selects 5 and 3 (tokens 1, 2), channel 1 selects 4 and 2 (tokens 0, 2)
      assertThat(t.getGradient().toFloatArray()).containsExactly(0f, 0.5f, 0.5f, 0f, 0.5f, 0.5f, 0f, 0f);
    }
  }

  @Test
  void paddingNeverEntersTheTopKOfAText() {
    try (NDManager m = NDManager.newBaseManager()) {
      // row 0: start, two words, padding; row 1: start, three words. Padding and start hold 100, which would win.
      NDArray t = m.create(new float[] {
          100, 100, 1, -7, 3, -5, 100, 100,
          100, 100, 2, 6, 4, 0, 8, -2}, new Shape(2, 4, 2));
      boolean[] valid = {false, true, true, false, false, true, true, true};
      assertThat(Loda.maskedTopKMean(t, valid, 1).toFloatArray()).containsExactly(3f, -5f, 8f, 6f);
      // k = 2: row 0 averages its two valid tokens, negative values included (padding is -10000, not 0)
      assertThat(Loda.maskedTopKMean(t, valid, 2).toFloatArray()).containsExactly(2f, -6f, 6f, 3f);
      // k = 5 exceeds both rows: row 0 takes its 2 valid tokens, row 1 its 3 (k lowered per row)
      assertThat(Loda.maskedTopKMean(t, valid, 5).toFloatArray()).usingComparatorWithPrecision(1e-6f)
          .containsExactly(2f, -6f, 14f / 3, 4f / 3);
    }
  }

  @Test
  void aRowWithoutValidTokensIsRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.zeros(new Shape(1, 3, 2));
      assertThatThrownBy(() -> Loda.maskedTopKMean(t, new boolean[3], 1)).hasMessageContaining("no valid token");
      assertThatThrownBy(() -> Loda.topKMean(t, 0)).hasMessageContaining("k >= 1");
    }
  }

  @Test
  void embeddingsAreUnitVectors() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] e = Loda.imageEmbedding(tokens(m), 2).toFloatArray();
      assertThat(e[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
      assertThat(e[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
    }
  }

  @Test
  void poolableTokensRunFromTheStartToTheEndOfText() {
    ClipTokenizer tok = ClipTokenizer.ofWords(List.of("a red square"));
    try (NDManager m = NDManager.newBaseManager()) {
      int[] ids = tok.tokenize("a red square", 7); // start, 3 words, end, 2 x padding
      assertThat(ids[0]).isEqualTo(tok.sotToken());
      assertThat(ids[4]).isEqualTo(tok.eotToken());
      boolean[] valid = TextTokens.poolable(m.create(ids, new Shape(1, 7)));
      assertThat(valid).containsExactly(true, true, true, true, true, false, false);
    }
  }

  @Test
  void textTokensSeeTheWholeCaptionAndNotThePadding() {
    ClipTokenizer tok = ClipTokenizer.ofWords(List.of("a photo of a cat", "a photo of a dog"));
    ClipModel clip = new ClipModel(new ClipConfig(16, 32, 1, 32, 2, 8, 12, tok.vocabSize(), 32, 2, 2));
    try (NDManager m = NDManager.newBaseManager()) {
      clip.initializeRandom(m, 3L);
      int[] cat = tok.tokenize("a photo of a cat", 12);
      int[] dog = tok.tokenize("a photo of a dog", 12);
      int eot = indexOf(cat, 0, tok.eotToken());
      assertThat(indexOf(dog, 0, tok.eotToken())).isEqualTo(eot);
      int classAt = java.util.Arrays.mismatch(cat, dog); // the first token of the class name
      assertThat(classAt).isGreaterThan(3);
      int[] both = new int[24];
      System.arraycopy(cat, 0, both, 0, 12);
      System.arraycopy(dog, 0, both, 12, 12);
      NDArray ids = m.create(both, new Shape(2, 12));
      float[] tokens = TextTokens.forward(clip, ids, false).toFloatArray(); // [2, 12, 16]
      // The template words before the class name differ between the classes (under CLIP's causal mask they would not)
      float[] causal = clip.text().forwardTokens(new ai.djl.training.ParameterStore(m, false), ids, false, false)
          .toFloatArray();
      for (int pos = 0; pos < classAt; pos++) {
        assertThat(maxDiff(tokens, pos, 12 + pos)).as("bidirectional, position " + pos).isGreaterThan(1e-3);
        assertThat(maxDiff(causal, pos, 12 + pos)).as("causal, position " + pos).isZero();
      }
      // Padding is masked as keys: the caption's tokens do not depend on how much padding follows
      NDArray shorter = m.create(java.util.Arrays.copyOf(cat, eot + 2), new Shape(1, eot + 2));
      float[] trimmed = TextTokens.forward(clip, shorter, false).toFloatArray();
      for (int i = 0; i <= eot * 16 + 15; i++) {
        assertThat(trimmed[i]).isCloseTo(tokens[i], within(1e-5f));
      }
    }
  }

  /** Largest difference between token rows {@code a} and {@code b} of [.., 16]-wide outputs. */
  private static double maxDiff(float[] t, int a, int b) {
    double max = 0;
    for (int d = 0; d < 16; d++) {
      max = Math.max(max, Math.abs(t[a * 16 + d] - t[b * 16 + d]));
    }
    return max;
  }

  private static int indexOf(int[] a, int from, int value) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == value) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void savedClipWeightsReadBackIntoTheSameTokens(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    ClipTokenizer tok = ClipTokenizer.ofWords(List.of("red"));
    ClipModel clip = new ClipModel(new ClipConfig(16, 32, 1, 32, 2, 8, 8, tok.vocabSize(), 32, 2, 1));
    try (NDManager m = NDManager.newBaseManager()) {
      clip.initializeRandom(m, 5L);
      ClipWeights.save(clip, dir.resolve("w.safetensors"), java.util.Map.of());
      ClipModel back = ClipWeights.load(dir.resolve("w.safetensors"), m, ClipWeights.Heads.DEFAULT);
      NDArray ids = m.create(tok.tokenize("red", 8), new Shape(1, 8));
      assertThat(TextTokens.forward(back, ids, false).toFloatArray())
          .containsExactly(TextTokens.forward(clip, ids, false).toFloatArray());
    }
  }
}

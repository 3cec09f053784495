package org.ovss.clip.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** {@link TextTransformer#forwardTokens}: the per-token outputs under the causal and the bidirectional mask. */
class TextTokensTest {
  private static final int LEN = 10;
  private static final int EMBED = 16;
  /** Two captions (start 98, end 99, the largest id), padded with 0. */
  private static final int[] IDS = {98, 5, 7, 9, 99, 0, 0, 0, 0, 0, 98, 5, 7, 3, 11, 2, 99, 0, 0, 0};

  private static ClipModel model(NDManager m) {
    ClipModel clip = new ClipModel(new ClipConfig(EMBED, 32, 1, 32, 2, 8, LEN, 100, 32, 2, 2));
    clip.initializeRandom(m, 7L);
    return clip;
  }

  @Test
  void causalTokensAtTheEndOfTextAreTheTextEmbedding() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray ids = m.create(IDS, new Shape(2, LEN));
      float[] tokens = clip.text().forwardTokens(ps, ids, false, false).toFloatArray(); // [2, L, E]
      float[] embeds = clip.encodeText(ps, ids, false).toFloatArray(); // [2, E]
      long[] eot = TextTransformer.eotPositions(ids);
      assertThat(eot).containsExactly(4, 6);
      for (int r = 0; r < 2; r++) {
        for (int d = 0; d < EMBED; d++) {
          assertThat(tokens[(int) ((r * LEN + eot[r]) * EMBED + d)]).isCloseTo(embeds[r * EMBED + d], within(1e-5f));
        }
      }
    }
  }

  @Test
  void bidirectionalTokensSeeLaterWordsButNotThePadding() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      float[] full = clip.text().forwardTokens(ps, m.create(IDS, new Shape(2, LEN)), true, false).toFloatArray();
      // The first caption alone with less padding (5 tokens + 1 pad) and with other values in its padding
      int[] trimmed = {98, 5, 7, 9, 99, 0};
      int[] otherPad = {98, 5, 7, 9, 99, 42, 17, 3, 1, 1};
      float[] a = clip.text().forwardTokens(ps, m.create(trimmed, new Shape(1, 6)), true, false).toFloatArray();
      float[] b = clip.text().forwardTokens(ps, m.create(otherPad, new Shape(1, LEN)), true, false).toFloatArray();
      for (int i = 0; i < 5 * EMBED; i++) {
        assertThat(a[i]).isCloseTo(full[i], within(1e-5f));
        assertThat(b[i]).isCloseTo(full[i], within(1e-5f));
      }
      // Caption 1 shares the tokens 98, 5, 7 with caption 0: the causal outputs there agree, the bidirectional ones not
      float[] causal = clip.text().forwardTokens(ps, m.create(IDS, new Shape(2, LEN)), false, false).toFloatArray();
      for (int pos = 0; pos < 3; pos++) {
        double bi = 0;
        double ca = 0;
        for (int d = 0; d < EMBED; d++) {
          bi = Math.max(bi, Math.abs(full[pos * EMBED + d] - full[(LEN + pos) * EMBED + d]));
          ca = Math.max(ca, Math.abs(causal[pos * EMBED + d] - causal[(LEN + pos) * EMBED + d]));
        }
        assertThat(ca).as("causal, position " + pos).isZero();
        assertThat(bi).as("bidirectional, position " + pos).isGreaterThan(1e-3);
      }
    }
  }
}

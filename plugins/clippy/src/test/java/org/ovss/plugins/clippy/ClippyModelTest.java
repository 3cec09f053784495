package org.ovss.plugins.clippy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.tokenizer.ClipTokenizer;

/** The written-out forward passes against clip-core's CLIP, and the text masking. */
class ClippyModelTest {

  private static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
    assertThat(actual).as(what + " length").hasSameSizeAs(expected);
    float worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertThat(worst).as(what + " max abs difference").isLessThan(tolerance);
  }

  @Test
  void imageTokensEqualClipCoresVisionTransformerAtAndOffTheNativeResolution() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyModel model = Tiny.model(Tiny.tokenizer(), ClippyConfig.DEFAULT, 11L, m);
      ParameterStore ps = new ParameterStore(m, false);
      for (int[] size : new int[][] {{32, 32}, {48, 40}}) {
        NDArray images = m.randomNormal(new Shape(2, 3, size[0], size[1]));
        float[] expected = model.clip().visual().forwardTokens(ps, images, AttentionMode.VANILLA, false).toFloatArray();
        assertClose(expected, model.imageTokens(images, null).toFloatArray(), 1e-5f, "tokens at " + size[0] + "x" + size[1]);
      }
    }
  }

  @Test
  void causalEotTextEqualsClipCoresTextTransformer() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTokenizer tok = Tiny.tokenizer();
      ClippyConfig clipLike = new ClippyConfig(ClippyConfig.ImagePool.CLS, ClippyConfig.TextPool.EOT,
          ClippyConfig.TextAttention.CAUSAL);
      ClippyModel model = Tiny.model(tok, clipLike, 5L, m);
      NDArray ids = m.create(concat(tok.tokenize("a red square on blue", 16), tok.tokenize("green", 16)), new Shape(2, 16));
      float[] expected = model.clip().encodeText(new ParameterStore(m, false), ids, false).toFloatArray();
      assertClose(expected, model.encodeText(ids).toFloatArray(), 1e-5f, "text embeddings");
    }
  }

  @Test
  void meanPooledBidirectionalTextDoesNotDependOnPadding() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTokenizer tok = Tiny.tokenizer();
      ClippyModel model = Tiny.model(tok, ClippyConfig.DEFAULT, 5L, m);
      int[] short8 = tok.tokenize("a white square on black", 8);
      int[] long16 = tok.tokenize("a white square on black", 16);
      float[] a = model.encodeText(m.create(short8, new Shape(1, 8))).toFloatArray();
      float[] b = model.encodeText(m.create(long16, new Shape(1, 16))).toFloatArray();
      assertClose(a, b, 1e-5f, "embedding with 2 vs 10 padding tokens");
      // the same text in a batch with a longer one: same embedding
      NDArray batch = m.create(concat(tok.tokenize("a white square on black", 16),
          tok.tokenize("a red square on green and a blue square on yellow", 16)), new Shape(2, 16));
      assertClose(b, model.encodeText(batch).get("0:1").toFloatArray(), 1e-5f, "embedding in a batch");
    }
  }

  @Test
  void meanPooledTextIsTheMeanOfTheProjectedTokensUpToEndOfText() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTokenizer tok = Tiny.tokenizer();
      ClippyModel model = Tiny.model(tok, ClippyConfig.DEFAULT, 5L, m);
      int[] ids = tok.tokenize("a blue square", 16);
      ClippyModel.Text text = model.textTokens(m.create(ids, new Shape(1, 16)));
      int eot = text.eot()[0];
      assertThat(ids[eot]).isEqualTo(tok.eotToken());
      float[] tokens = text.tokens().toFloatArray(); // [1, 16, 16]
      float[] expected = new float[16];
      for (int t = 0; t <= eot; t++) {
        for (int e = 0; e < 16; e++) {
          expected[e] += tokens[t * 16 + e] / (eot + 1);
        }
      }
      assertClose(expected, model.textEmbedding(text).toFloatArray(), 1e-5f, "mean pooling");
    }
  }

  @Test
  void everyParameterGetsAGradientFromTheLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyTraining t = ClippyTraining.fromScratch(Tiny.source(36, 32, 32),
          ClippyTrainSettings.of(Tiny.settings("train-image-size", "48")), 2L, m);
      Map<String, NDArray> params = t.parameters();
      params.values().forEach(p -> p.setRequiresGradient(true));
      try (NDManager scope = m.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray loss = t.loss(scope, 0, 1L);
          assertThat(Float.isFinite(loss.getFloat())).isTrue();
          gc.backward(loss);
        }
        List<String> zero = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          NDArray g = e.getValue().getGradient();
          if (g.abs().sum().getFloat() == 0f) {
            zero.add(e.getKey());
          }
        }
        // the positional embedding is interpolated (train size 48 vs model 32): its gradient must flow too
        assertThat(zero).as("parameters without gradient").isEmpty();
      }
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

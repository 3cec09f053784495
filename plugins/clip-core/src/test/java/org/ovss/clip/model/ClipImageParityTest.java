package org.ovss.clip.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovss.clip.ParityFixture;
import org.ovss.clip.weights.ClipWeights;

/**
 * The image tower against the reference outputs in {@code io.safetensors}, for each of the three files
 * that hold the tiny CLIP: plain, SCLIP (CSA) and MaskCLIP last blocks, and positional interpolation.
 */
class ClipImageParityTest {
  @BeforeAll
  static void clipFixtureSet() {
    ParityFixture.assumeClipFixtureSet();
  }

  private static final String IO = "io.safetensors";

  static Iterable<String> weights() {
    return ParityFixture.weightFiles();
  }

  @ParameterizedTest
  @MethodSource("weights")
  void imageEmbeddingsMatch(String weightsFile) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve(weightsFile), m, ClipWeights.Heads.DEFAULT);
      NDArray images = images(m, "images");
      float[] actual = model.encodeImage(new ParameterStore(m, false), images, false).toFloatArray();
      assertClose(actual, ParityFixture.read(IO, "image_embeds"), 1e-4, weightsFile + " image_embeds");
    }
  }

  @ParameterizedTest
  @MethodSource("weights")
  void denseTokensMatchForEveryLastBlock(String weightsFile) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve(weightsFile), m, ClipWeights.Heads.DEFAULT);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray images = images(m, "images");
      check(model, ps, images, AttentionMode.VANILLA, "dense_vanilla", 1e-4, weightsFile);
      check(model, ps, images, AttentionMode.CSA, "dense_csa", 1e-4, weightsFile);
      check(model, ps, images, AttentionMode.IDENTITY, "dense_maskclip", 1e-4, weightsFile);
    }
  }

  @ParameterizedTest
  @MethodSource("weights")
  void interpolatedPositionsMatchOnALargerImage(String weightsFile) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve(weightsFile), m, ClipWeights.Heads.DEFAULT);
      check(model, new ParameterStore(m, false), images(m, "images_large"), AttentionMode.CSA, "dense_csa_large", 1e-3,
          weightsFile);
    }
  }

  private static void check(ClipModel model, ParameterStore ps, NDArray images, AttentionMode mode, String name,
      double tol, String weightsFile) {
    NDArray tokens = model.visual().forwardTokens(ps, images, mode, false);
    ParityFixture.Tensor expected = ParityFixture.read(IO, name);
    assertThat(tokens.getShape()).as(name + " shape").isEqualTo(new Shape(expected.shape()));
    assertClose(tokens.toFloatArray(), expected, tol, weightsFile + " " + name);
  }

  private static NDArray images(NDManager m, String name) {
    ParityFixture.Tensor t = ParityFixture.read(IO, name);
    return m.create(t.values(), new Shape(t.shape()));
  }

  static void assertClose(float[] actual, ParityFixture.Tensor expected, double tol, String what) {
    double err = ParityFixture.maxAbsDiff(actual, expected.values());
    System.out.printf("parity %-45s max abs error %.3g%n", what, err);
    assertThat(err).as(what + " max abs error").isLessThanOrEqualTo(tol);
  }
}

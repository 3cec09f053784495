package org.ovss.plugins.pacl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.weights.ClipWeights;

/** The dense CLIP tokens at native and reduced patch stride. */
class PatchTokensTest {
  @TempDir Path dir;

  private static float maxAbsDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }

  @Test
  void nativeStrideIsClipsOwnForward() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = ClipWeights.load(Tiny.clip(dir, 5L), m, ClipWeights.Heads.DEFAULT);
      PatchTokens tokens = new PatchTokens(clip, m);
      NDArray images = m.randomNormal(new Shape(2, 3, 32, 32));
      PatchTokens.Grid g = tokens.forward(images, 8, true);
      assertThat(g.height()).isEqualTo(4);
      assertThat(g.width()).isEqualTo(4);
      NDArray proj = clip.stateDict().get("visual.proj").parameter().getArray();
      NDArray reference = clip.visual().forwardTokens(new ParameterStore(m, false), images, AttentionMode.VANILLA, false)
          .get(":, 1:, :"); // ln_post + proj of the patch tokens
      assertThat(maxAbsDiff(g.tokens().matMul(proj), reference)).isLessThan(1e-5f);
      // without ln_post the tokens differ
      assertThat(maxAbsDiff(tokens.forward(images, 8, false).tokens(), g.tokens())).isGreaterThan(1e-3f);
    }
  }

  @Test
  void reducedStrideCentresEachPatchOnItsCell() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = ClipWeights.load(Tiny.clip(dir, 5L), m, ClipWeights.Heads.DEFAULT);
      PatchTokens tokens = new PatchTokens(clip, m);
      NDArray images = m.randomNormal(new Shape(1, 3, 32, 32));
      NDArray native8 = tokens.patchEmbed(images, 8); // [1, W, 4, 4]
      // stride 1 pads 3 before and 4 after: token j covers pixels j - 3 .. j + 4, so token 8i + 3 is patch i
      NDArray dense = tokens.patchEmbed(images, 1); // [1, W, 32, 32]
      assertThat(dense.getShape()).isEqualTo(new Shape(1, 64, 32, 32));
      NDArray picked = dense.get(":, :, 3::8, 3::8");
      assertThat(maxAbsDiff(picked, native8)).isLessThan(1e-5f);
      // stride 4 pads 2 on each side: token j covers pixels 4j - 2 .. 4j + 5, centred on its cell (4j + 2)
      NDArray four = tokens.patchEmbed(images, 4); // [1, W, 8, 8]
      assertThat(four.getShape()).isEqualTo(new Shape(1, 64, 8, 8));
      // ... so token 2i is native patch i of the image shifted by 2 zero pixels down and right
      NDArray shifted = m.zeros(new Shape(1, 3, 2, 32)).concat(images, 2); // [1, 3, 34, 32]
      shifted = m.zeros(new Shape(1, 3, 34, 2)).concat(shifted, 3); // [1, 3, 34, 34]
      NDArray nativeShifted = tokens.patchEmbed(shifted.get(":, :, 0:32, 0:32"), 8);
      assertThat(maxAbsDiff(four.get(":, :, 0::2, 0::2"), nativeShifted)).isLessThan(1e-5f);
      // floor(H / s) x floor(W / s) tokens for any window
      PatchTokens.Grid g = tokens.forward(m.randomNormal(new Shape(1, 3, 36, 45)), 4, true);
      assertThat(new int[] {g.height(), g.width()}).containsExactly(9, 11);
      assertThat(g.tokens().getShape()).isEqualTo(new Shape(1, 99, 64));
    }
  }

  @Test
  void stridesOutsideOneToThePatchSizeAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel clip = ClipWeights.load(Tiny.clip(dir, 5L), m, ClipWeights.Heads.DEFAULT);
      PatchTokens tokens = new PatchTokens(clip, m);
      NDArray images = m.randomNormal(new Shape(1, 3, 32, 32));
      assertThatThrownBy(() -> tokens.patchEmbed(images, 9)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("[1, 8]");
      assertThatThrownBy(() -> tokens.patchEmbed(images, 0)).isInstanceOf(InvalidInputException.class);
    }
  }
}

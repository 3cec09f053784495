package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovss.clip.ParityFixture;
import org.ovss.clip.weights.ClipWeights;

/** The text tower against {@code text_embeds} of {@code io.safetensors}, for each weights file. */
class ClipTextParityTest {
  @BeforeAll
  static void clipFixtureSet() {
    ParityFixture.assumeClipFixtureSet();
  }


  static Iterable<String> weights() {
    return ParityFixture.weightFiles();
  }

  @ParameterizedTest
  @MethodSource("weights")
  void textEmbeddingsMatch(String weightsFile) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(ParityFixture.dir().resolve(weightsFile), m, ClipWeights.Heads.DEFAULT);
      long[] ids = ParityFixture.readLongs("io.safetensors", "text_ids");
      long rows = ids.length / model.config().contextLength();
      NDArray idArray = m.create(ids, new Shape(rows, model.config().contextLength()));
      float[] actual = model.encodeText(new ParameterStore(m, false), idArray, false).toFloatArray();
      ClipImageParityTest.assertClose(actual, ParityFixture.read("io.safetensors", "text_embeds"), 1e-4,
          weightsFile + " text_embeds");
    }
  }
}

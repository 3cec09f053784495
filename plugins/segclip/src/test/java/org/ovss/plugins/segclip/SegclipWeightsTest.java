package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;

/** Reading and writing SegCLIP checkpoints under the official names. */
class SegclipWeightsTest {
  @TempDir Path dir;

  @Test
  void saveAndLoadRoundTripEveryTensorAndTheArchitecture() {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipModel model = Tiny.segclip(dir, 2L, m);
      Path file = dir.resolve("round.safetensors");
      SegclipWeights.save(model, file, Map.of("k", "v"));
      assertThat(dir.resolve(SegclipWeights.CONFIG_FILE)).isRegularFile();
      try (TensorFile t = TensorFile.open(file)) {
        assertThat(t.metadata()).containsEntry("format", "segclip").containsEntry("vision_heads", "2")
            .containsEntry("decoder_heads", "4").containsEntry("k", "v");
        assertThat(t.names()).contains("clip.visual.transformer.semantic_layer2.k_conv.weight",
            "clip.visual.transformer.layers_mae2.0.attn.in_proj_weight",
            "clip.visual.transformer.reconstruct_layer2.rec_proj_a.a_fc.weight",
            "vis_mae_decoder.decoder_blocks.0.attn.qkv.weight", "vis_mae_decoder.decoder_pos_embed");
      }
      SegclipModel back = SegclipWeights.load(file, m, SegclipWeights.Heads.DEFAULT);
      assertThat(back.config()).isEqualTo(model.config());
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        SegclipTrainingTest.assertIdentical(back.parameters().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(),
            e.getKey());
      }
    }
  }

  @Test
  void aTorchSaveStateDictWithAPrefixLoadsUnderTheOfficialNames() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipModel model = Tiny.segclip(dir, 4L, m);
      Map<String, float[]> values = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        values.put("module." + e.getKey(), e.getValue().toFloatArray());
        shapes.put("module." + e.getKey(), e.getValue().getShape().getShape());
      }
      // the official checkpoint's logit scale is a 0-d tensor; an unused text-MAE tensor is ignored
      values.put("module.seq_mae_decoder.mask_token", new float[] {1, 2});
      shapes.put("module.seq_mae_decoder.mask_token", new long[] {1, 2});
      Path file = dir.resolve("segclip.bin");
      TorchZip.write(file, values, shapes);
      assertThat(SegclipWeights.detect(file)).isEqualTo(SegclipWeights.Kind.SEGCLIP);
      // without metadata the head counts follow the official rules: text width / 64, 8 in the decoder
      SegclipConfig official = SegclipWeights.load(file, m, SegclipWeights.Heads.DEFAULT).config();
      assertThat(official.textHeads()).isEqualTo(1);
      assertThat(official.decoderHeads()).isEqualTo(SegclipWeights.OFFICIAL_DECODER_HEADS);
      assertThat(official.visionHeads()).as("the k/v conv groups").isEqualTo(model.config().visionHeads());
      SegclipModel back = SegclipWeights.load(file, m,
          new SegclipWeights.Heads(OptionalInt.empty(), OptionalInt.of(2), OptionalInt.of(4)));
      assertThat(back.config()).isEqualTo(model.config());
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        SegclipTrainingTest.assertIdentical(back.parameters().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(),
            e.getKey());
      }
    }
  }

  @Test
  void detectsClipWeightsAndRejectsOtherFiles() throws Exception {
    assertThat(SegclipWeights.detect(Tiny.clip(dir, 1L))).isEqualTo(SegclipWeights.Kind.CLIP);
    Path other = dir.resolve("other.safetensors");
    SafetensorsWriter.write(other, List.of(SafetensorsWriter.Tensor.ofFloats("w", new long[] {2}, new float[] {1, 2})),
        Map.of());
    assertThatThrownBy(() -> SegclipWeights.detect(other)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(other.toString()).hasMessageContaining("neither a SegCLIP checkpoint");
    Path junk = Files.write(dir.resolve("junk.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertThatThrownBy(() -> SegclipWeights.detect(junk)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(junk.toString());
    assertThatThrownBy(() -> SegclipWeights.detect(dir.resolve("missing.safetensors")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not exist");
  }

  @Test
  void aMissingTensorIsNamed() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipModel model = Tiny.segclip(dir, 5L, m);
      Map<String, float[]> values = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        if (!e.getKey().equals("clip.visual.transformer.semantic_layer2.cross_ln.bias")) {
          values.put(e.getKey(), e.getValue().toFloatArray());
          shapes.put(e.getKey(), e.getValue().getShape().getShape());
        }
      }
      Path file = dir.resolve("partial.bin");
      TorchZip.write(file, values, shapes);
      assertThatThrownBy(() -> SegclipWeights.load(file, m, SegclipWeights.Heads.DEFAULT))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining(file.toString())
          .hasMessageContaining("semantic_layer2.cross_ln.bias");
    }
  }

  @Test
  void clipBlocksMapOntoTheTwoStagesAsTheOfficialFromPretrained() {
    assertThat(SegclipWeights.segclipName("visual.transformer.resblocks.9.attn.in_proj_weight", 10))
        .isEqualTo("clip.visual.transformer.layers0.9.attn.in_proj_weight");
    assertThat(SegclipWeights.segclipName("visual.transformer.resblocks.10.mlp.c_fc.bias", 10))
        .isEqualTo("clip.visual.transformer.layers2.0.mlp.c_fc.bias");
    assertThat(SegclipWeights.segclipName("visual.transformer.resblocks.11.ln_2.weight", 10))
        .isEqualTo("clip.visual.transformer.layers2.1.ln_2.weight");
    assertThat(SegclipWeights.segclipName("transformer.resblocks.3.ln_1.bias", 10))
        .isEqualTo("clip.transformer.resblocks.3.ln_1.bias");
    assertThat(SegclipWeights.segclipName("visual.proj", 10)).isEqualTo("clip.visual.proj");
    assertThat(SegclipWeights.segclipName("logit_scale", 10)).isEqualTo("clip.logit_scale");
  }

  @Test
  void decoderPositionsAreMaesSinCosTable() {
    int dim = 8;
    float[] pos = SegclipWeights.decoderPositions(dim, 3);
    for (int k = 0; k < dim; k++) {
      assertThat(pos[k]).isZero(); // the CLS row
    }
    // token (row 1, column 2) = index 1 + 1 * 3 + 2; w_k = 10000^(-k / 2) for k = 0, 1
    int row = 1 + 3 + 2;
    double w1 = 1 / 100.0;
    assertThat(pos[row * dim]).isEqualTo((float) Math.sin(2));
    assertThat(pos[row * dim + 1]).isEqualTo((float) Math.sin(2 * w1));
    assertThat(pos[row * dim + 2]).isEqualTo((float) Math.cos(2));
    assertThat(pos[row * dim + 4]).isEqualTo((float) Math.sin(1));
    assertThat(pos[row * dim + 7]).isEqualTo((float) Math.cos(w1));
  }
}

package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

class GroupVitConfigTest {
  @TempDir Path tempDir;

  @Test
  void savedConfigLoadsBackEqual() {
    GroupVitConfig config = TinyGroupVit.config(123, 3);
    Path file = tempDir.resolve(GroupVitConfig.FILE_NAME);
    config.save(file);
    assertThat(GroupVitConfig.load(file)).isEqualTo(config);
  }

  @Test
  void theOfficialModelSectionTakesTheOfficialDefaults() throws Exception {
    // configs/group_vit_gcc_yfcc_30e.yml, model section, as JSON
    String json = """
        {"model": {"type": "MultiLabelContrastive",
          "img_encoder": {"type": "GroupViT", "embed_dim": 384, "num_heads": [6, 6, 6], "depths": [6, 3, 3],
            "num_group_tokens": [64, 8, 0], "num_output_groups": [64, 8], "drop_rate": 0.0, "drop_path_rate": 0.1},
          "text_encoder": {"type": "TextTransformer", "context_length": 77, "width": 256, "layers": 12, "vocab_size": 49408},
          "contrast_temperature": 0.07, "proj_num_layers": 2, "output_dim": 256, "multi_label": 3}}""";
    GroupVitConfig c = GroupVitConfig.fromJson(new ObjectMapper().readTree(json));
    assertThat(c.imageSize()).isEqualTo(224);
    assertThat(c.patchSize()).isEqualTo(16);
    assertThat(c.textHeads()).isEqualTo(4);
    assertThat(c.projInnerDim()).isEqualTo(4096);
    assertThat(c.hardAssignment()).isTrue();
    assertThat(c.outputTokens()).isEqualTo(8);
    assertThat(GroupVitStateDict.stateShapes(c)).containsKey("multi_label_logit_scale")
        .containsKey("img_encoder.layers.1.group_projector.1.fc2.weight");
  }

  @Test
  void unknownKeysAndUnsupportedValuesAreRejected() throws Exception {
    Path file = tempDir.resolve("c.json");
    Files.writeString(file, """
        {"img_encoder": {"embed_dim": 64, "num_heads": [2, 2, 2], "depth": [2, 1, 1]},
         "text_encoder": {"context_length": 77, "width": 64, "layers": 2, "vocab_size": 1000}}""");
    assertThatThrownBy(() -> GroupVitConfig.load(file)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("img_encoder.depth").hasMessageContaining(file.toString());
    Files.writeString(file, """
        {"img_encoder": {"embed_factors": [1, 2, 2]},
         "text_encoder": {"context_length": 77, "width": 64, "layers": 2, "vocab_size": 1000}}""");
    assertThatThrownBy(() -> GroupVitConfig.load(file)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("embed_factors");
    Files.writeString(file, """
        {"img_encoder": {"num_output_groups": [8]},
         "text_encoder": {"context_length": 77, "width": 64, "layers": 2, "vocab_size": 1000}}""");
    assertThatThrownBy(() -> GroupVitConfig.load(file)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("num_output_groups");
  }

  @Test
  void aCheckpointWithoutConfigFailsNamingWhereItLooked() throws Exception {
    Path weights = tempDir.resolve("w.safetensors");
    Files.write(weights, new byte[16]);
    assertThatThrownBy(() -> GroupVitCheckpoint.config(weights, java.util.Optional.empty()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(GroupVitConfig.FILE_NAME)
        .hasMessageContaining(tempDir.toString());
  }

  @Test
  void stateShapesFollowTheOfficialLayout() {
    GroupVitConfig c = TinyGroupVit.config(50, 0);
    var shapes = GroupVitStateDict.stateShapes(c);
    assertThat(shapes).doesNotContainKey("multi_label_logit_scale")
        .doesNotContainKey("img_encoder.layers.2.group_token")
        .doesNotContainKey("img_encoder.layers.2.downsample.norm_x.weight");
    assertThat(shapes.get("img_encoder.layers.1.group_projector.1.fc1.weight").getShape()).containsExactly(16, 8);
    assertThat(shapes.get("img_encoder.layers.0.downsample.mlp_inter.fc2.weight").getShape()).containsExactly(8, 16);
    assertThat(shapes.get("text_projector.linear_hidden.0.weight").getShape()).containsExactly(64, 32, 1);
    assertThat(GroupVitStateDict.batchCounterNames(c))
        .isEqualTo(List.of("img_projector.linear_hidden.1.num_batches_tracked", "text_projector.linear_hidden.1.num_batches_tracked"));
  }
}

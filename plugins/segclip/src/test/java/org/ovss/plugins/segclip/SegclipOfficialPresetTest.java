package org.ovss.plugins.segclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;

class SegclipOfficialPresetTest {
  @Test
  void theOfficialPresetGivesTheOfficialOptimiserUnderExplicitSettings() {
    Map<String, String> config = Map.of("preset", "official", "clip-norm", "2");
    SegclipTrainSettings.of(config);
    Map<String, String> engine = SegclipTrainSettings.engineSpec(new TrainSpec(Path.of("out"), 200, 1L, config)).config();
    assertThat(engine).containsEntry("lr", "4e-3").containsEntry("warmup-steps", "30") // 15% of 200
        .containsEntry("min-lr", "0").containsEntry("beta2", "0.98").containsEntry("eps", "1e-6")
        .containsEntry("weight-decay", "0.05")
        .containsEntry("clip-norm", "2"); // given explicitly: kept
    Map<String, String> small = Map.of("batch-size", "8");
    assertThat(SegclipTrainSettings.engineSpec(new TrainSpec(Path.of("out"), 200, 1L, small)).config()).isEqualTo(small);
    assertThatThrownBy(() -> SegclipTrainSettings.of(Map.of("preset", "paper")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("preset");
  }
}

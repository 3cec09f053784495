package org.ovss.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainSpecTest {
  @Test
  void unknownSettingsAreRefusedNamingThemAndListingTheKnownOnes() {
    assertThatThrownBy(() -> TrainSpec.requireKnownKeys("clip", Map.of("lr", "1e-3", "btach-size", "8", "zz", "1"),
        List.of("batch-size")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown clip training setting(s) [btach-size, zz]")
        .hasMessageContaining("known: batch-size, beta1");
    assertThatCode(() -> TrainSpec.requireKnownKeys("clip", Map.of("lr", "1e-3", "batch-size", "8"), List.of("batch-size")))
        .doesNotThrowAnyException();
  }

  @Test
  void thePresetIsSmallOrOfficialAndNamesTheKeyOtherwise() {
    assertThat(TrainSpec.officialPreset(Map.of())).isFalse();
    assertThat(TrainSpec.officialPreset(Map.of("preset", "small"))).isFalse();
    assertThat(TrainSpec.officialPreset(Map.of("preset", " official "))).isTrue();
    assertThatThrownBy(() -> TrainSpec.officialPreset(Map.of("preset", "paper")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("training setting preset must be small or official, got 'paper'");
  }

  @Test
  void defaultsGoUnderTheSettingsTheSpecGivesItself() {
    TrainSpec spec = new TrainSpec(Path.of("out"), 10, 3L, Map.of("lr", "1e-3", "preset", "official"));
    TrainSpec merged = spec.withDefaults(Map.of("lr", "4e-3", "warmup-steps", "2"));
    assertThat(merged.config()).containsExactlyInAnyOrderEntriesOf(
        Map.of("lr", "1e-3", "preset", "official", "warmup-steps", "2"));
    assertThat(merged.outputDir()).isEqualTo(spec.outputDir());
    assertThat(merged.steps()).isEqualTo(10);
    assertThat(merged.seed()).isEqualTo(3L);
  }
}

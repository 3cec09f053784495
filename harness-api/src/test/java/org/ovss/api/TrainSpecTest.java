package org.ovss.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}

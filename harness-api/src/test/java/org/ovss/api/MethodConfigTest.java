package org.ovss.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class MethodConfigTest {
  private static MethodConfig withOptions(Map<String, String> options) {
    return MethodConfig.of(null, null).withOptions(options);
  }

  @Test
  void positiveIntOptionsAreReadOrEmpty() {
    MethodConfig c = withOptions(Map.of("text-batch", " 16 "));
    assertThat(c.positiveInt("text-batch")).isEqualTo(OptionalInt.of(16));
    assertThat(c.positiveInt("vision-heads")).isEmpty();
  }

  @Test
  void invalidPositiveIntOptionsNameTheOptionAndTheValue() {
    for (String bad : new String[] {"0", "-3", "x", "1.5", ""}) {
      assertThatThrownBy(() -> withOptions(Map.of("text-batch", bad)).positiveInt("text-batch"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("option text-batch must be a positive integer, got '" + bad + "'");
    }
  }

  @Test
  void trainingSettingsSayTheyAreSettings() {
    assertThat(TrainSpec.positiveInt(Map.of("batch-size", "8"), "batch-size")).isEqualTo(OptionalInt.of(8));
    assertThatThrownBy(() -> TrainSpec.positiveInt(Map.of("batch-size", "0"), "batch-size"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("training setting batch-size must be a positive integer, got '0'");
  }
}

package org.ovss.datasets.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ovss.api.InvalidInputException;

class SynthConfigTest {

  @Test
  void defaultsAreTheIssuesBenchmark() {
    assertThat(SynthConfig.defaults()).isEqualTo(new SynthConfig(20_000, 500, 96, 0L));
  }

  @Test
  void refusesSizesThatCannotMakeABenchmark() {
    assertThatThrownBy(() -> new SynthConfig(-1, 5, 96, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--train -1");
    assertThatThrownBy(() -> new SynthConfig(0, 0, 96, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least one image");
    assertThatThrownBy(() -> new SynthConfig(10, 5, 32, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("48..1024");
    assertThatThrownBy(() -> new SynthConfig(Integer.MAX_VALUE, Integer.MAX_VALUE, 96, 0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("limited to");
    assertThat(new SynthConfig(0, 1, 48, -7).val()).isEqualTo(1);
  }
}

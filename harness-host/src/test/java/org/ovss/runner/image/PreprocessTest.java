package org.ovss.runner.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreprocessTest {

  @Test
  void shortSideSizeKeepsAspectAndPatchMultiples() {
    assertThat(Preprocess.shortSideSize(375, 500, 224, 16)).containsExactly(224, 304);
    assertThat(Preprocess.shortSideSize(500, 375, 32, 8)).containsExactly(40, 32);
  }
}

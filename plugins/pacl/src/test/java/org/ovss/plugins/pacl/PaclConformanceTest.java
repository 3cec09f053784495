package org.ovss.plugins.pacl;

import java.nio.file.Path;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.MethodConformanceTest;

/**
 * The plugin contract on a PACL checkpoint exported after 0 training steps on a random tiny CLIP (32 px,
 * patch 8): at the default stride 4 the dense grid is 8 x 8, which the testkit checks as resolution /
 * {@code inputSpec().patchSize()}.
 */
class PaclConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new PaclProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    return Tiny.config(Tiny.pacl());
  }
}

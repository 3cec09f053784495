package org.ovss.plugins.pacl;

import java.nio.file.Path;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.BackgroundRuleConformanceTest;

/** The test kit's background-rule checks on PACL's entropy rule (thresholds in nats; ln 3 = 1.10 for 3 classes). */
class PaclBackgroundRuleTest extends BackgroundRuleConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new PaclProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    return Tiny.config(Tiny.pacl());
  }

  @Override
  protected double[] thresholds() {
    return new double[] {0.0, 0.5, 1.0, 1.2};
  }
}

package org.ovss.plugins.simseg;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.MethodConformanceTest;

/** The plugin contract on a random tiny SimSeg that the plugin's own export wrote at 0 training steps. */
class SimsegConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new SimsegProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    Path weights = Tiny.checkpoint(tempDir.resolve("init"), 7L);
    return new MethodConfig(Optional.of(weights), Optional.empty(), Map.of(), 0L);
  }
}

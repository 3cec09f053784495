package org.ovss.plugins.clippy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.MethodConformanceTest;

/** The plugin contract on a tiny CLIPpy written by the plugin's own export at 0 steps (tokenizer beside it). */
class ClippyConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new ClippyProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    Path weights = Tiny.checkpoint(tempDir.resolve("clippy"), 7L);
    return new MethodConfig(Optional.of(weights), Optional.empty(), Map.of(), 0L);
  }
}

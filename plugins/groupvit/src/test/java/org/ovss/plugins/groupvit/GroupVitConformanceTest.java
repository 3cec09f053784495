package org.ovss.plugins.groupvit;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.MethodConformanceTest;

/** The plugin contract on a small random GroupViT checkpoint written with its config and tokenizer. */
class GroupVitConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new GroupVitProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    Path weights = TinyGroupVit.writeRandomCheckpoint(tempDir.resolve("groupvit"), 11L);
    return new MethodConfig(Optional.of(weights), Optional.empty(), Map.of(), 0L);
  }
}

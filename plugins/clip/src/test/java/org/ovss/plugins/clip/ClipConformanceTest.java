package org.ovss.plugins.clip;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.clip.model.ClipPresets;
import org.ovss.testkit.MethodConformanceTest;
import org.ovss.fixtures.Fixtures;

class ClipConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new ClipProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    Path weights = ClipPresets.writeRandom("tiny", 7L, tempDir.resolve("tiny-clip.safetensors"));
    Path bpe = Fixtures.bpeFile();
    return new MethodConfig(Optional.of(weights), Optional.of(bpe), Map.of(), 0L);
  }
}

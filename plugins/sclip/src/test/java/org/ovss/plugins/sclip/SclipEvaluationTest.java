package org.ovss.plugins.sclip;

import java.nio.file.Path;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.clip.model.ClipPresets;
import org.ovss.testkit.EvaluationConformanceTest;

/** SCLIP on a random tiny CLIP through the harness's evaluator, with the bundled CLIP vocabulary. */
class SclipEvaluationTest extends EvaluationConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new SclipProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    return MethodConfig.of(ClipPresets.writeRandom("tiny", 7L, tempDir.resolve("tiny-clip.safetensors")), null);
  }
}

package org.ovss.plugins.pacl;

import java.nio.file.Path;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.ToyCaptions;
import org.ovss.testkit.TrainingConformanceTest;

/** The test kit's TRAIN checks: PACL's embedder on a frozen random tiny CLIP, through the harness's engine. */
class PaclTrainingConformanceTest extends TrainingConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new PaclProvider();
  }

  @Override
  protected MethodConfig trainConfig(Path tempDir) {
    return Tiny.config(Tiny.clip(tempDir, 7L));
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("batch-size", "4", "lr", "1e-2");
  }

  @Override
  protected ImageTextSource data() {
    return ToyCaptions.source(8, 32, 32);
  }
}

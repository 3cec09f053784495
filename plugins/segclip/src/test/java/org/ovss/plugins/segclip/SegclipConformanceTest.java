package org.ovss.plugins.segclip;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.testkit.MethodConformanceTest;

/**
 * The plugin contract on a random tiny SegCLIP. The testkit requires {@code segment} logits on the patch
 * grid [B, Q, H/p, W/p], so this runs with {@code logits-at=patches}; the default pixel-level output
 * ([B, Q, H, W], the official map) is checked in {@link SegclipMethodTest}.
 */
class SegclipConformanceTest extends MethodConformanceTest {

  @Override
  protected MethodProvider provider() {
    return new SegclipProvider();
  }

  @Override
  protected MethodConfig config(Path tempDir) {
    Path weights = Tiny.segclipFile(tempDir, 7L);
    return new MethodConfig(Optional.of(weights), Optional.of(Tiny.bpe()), Map.of("logits-at", "patches"), 0L);
  }
}

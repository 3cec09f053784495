package org.ovss.plugins.clip;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.AttentionMode;

/**
 * Vanilla CLIP dense baseline: every patch token of the unmodified last block, compared with the text.
 * It can also train a CLIP from scratch (symmetric InfoNCE), which the training-free methods then use.
 */
public final class ClipProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "clip", "CLIP (dense, vanilla)", "clip-2021",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME), "sclip", ClipDenseMethod.KNOBS);

  public ClipProvider() {
    super(INFO, (info, config) -> new ClipDenseMethod(info, config, AttentionMode.VANILLA));
  }
}

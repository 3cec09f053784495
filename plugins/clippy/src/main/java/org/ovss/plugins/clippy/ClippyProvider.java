package org.ovss.plugins.clippy;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;

/**
 * CLIPpy (Ranasinghe, McKinzie, Ravi, Yang, Toshev, Shlens. Perceptual Grouping in Contrastive Vision-Language
 * Models. ICCV 2023, arXiv:2210.09996): a CLIP-architecture dual encoder trained from scratch with max-pooled image
 * tokens, mean-pooled text tokens and patch dropout; segmentation by per-token zero-shot argmax, bottom-up
 * grouping by PCA of the dense features ({@link BottomUpGrouping}).
 */
public final class ClippyProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "clippy", "CLIPpy",
      "clippy-2023",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT), "clippy", ClippyMethod.KNOBS);

  public ClippyProvider() {
    super(INFO, ClippyMethod::new);
  }
}

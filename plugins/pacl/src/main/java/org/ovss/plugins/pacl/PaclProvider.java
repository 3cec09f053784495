package org.ovss.plugins.pacl;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;

/**
 * PACL (Mukhoti et al. Open Vocabulary Semantic Segmentation with Patch Aligned Contrastive Learning. CVPR 2023,
 * arXiv:2212.04994): a vision embedder trained with patch-aligned contrastive learning on a frozen
 * CLIP; segmentation from per-class patch-text cosine maps at a reduced patch stride, with the entropy
 * background rule on datasets with background. Training starts from a trained CLIP checkpoint ({@code
 * trainsFrom("clip")}).
 */
public final class PaclProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "pacl", "PACL",
      "pacl-2023",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT), "pacl", PaclMethod.KNOBS)
      .trainingFrom("clip");

  public PaclProvider() {
    super(INFO, PaclMethod::new);
  }
}

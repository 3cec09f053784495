package org.ovss.plugins.segclip;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;

/**
 * SegCLIP (Luo, Bao, Wu, He, Li. SegCLIP: Patch Aggregation with Learnable Centers for Open-Vocabulary Semantic
 * Segmentation. ICML 2023, arXiv:2211.14813): CLIP ViT with learnable centres after the first stage, soft assignment
 * segmentation with the top-5 class mask and a background threshold, trained from CLIP weights with the
 * contrastive, masked-reconstruction and superpixel KL losses.
 */
public final class SegclipProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "segclip", "SegCLIP",
      "segclip-2023",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT), "segclip", SegclipMethod.KNOBS)
      .trainingFrom("clip");

  public SegclipProvider() {
    super(INFO, SegclipMethod::new);
  }
}

package org.ovss.plugins.groupvit;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;

/**
 * GroupViT (Xu et al. GroupViT: Semantic Segmentation Emerges from Text Supervision. CVPR 2022, arXiv:2202.11094),
 * the grouping baseline of the papers this harness implements: trained from image-caption pairs,
 * segments by its learned groups' affinity to the class prompts (NVlabs/GroupViT@13b7861; {@link GroupVitMethod}).
 */
public final class GroupVitProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "groupvit", "GroupViT", "groupvit-2022",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT), "groupvit", GroupVitMethod.KNOBS);

  public GroupVitProvider() {
    super(INFO, GroupVitMethod::new);
  }
}

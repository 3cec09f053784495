package org.ovss.plugins.sclip;

import java.util.Set;
import org.ovss.api.Capability;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.AttentionMode;

/**
 * SCLIP (Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense Vision-Language Inference. ECCV 2024,
 * arXiv:2312.01597): correlative self-attention softmax(qq^T s) + softmax(kk^T s) in the last
 * block (Eq. 3), residual and FFN kept, as wangf3014/SCLIP@b56bd30 {@code clip/model.py custom_attn}.
 */
public final class SclipProvider implements MethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "sclip", "SCLIP", "sclip-2024",
      Set.of(Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME), "sclip", ClipDenseMethod.KNOBS);

  @Override
  public MethodInfo info() {
    return INFO;
  }

  @Override
  public SegmentationMethod open(MethodConfig config) {
    return new ClipDenseMethod(INFO, config, AttentionMode.CSA);
  }
}

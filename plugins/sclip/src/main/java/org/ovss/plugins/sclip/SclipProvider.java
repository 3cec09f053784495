package org.ovss.plugins.sclip;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.AttentionMode;

/**
 * SCLIP (Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense Vision-Language Inference. ECCV 2024,
 * arXiv:2312.01597): correlative self-attention softmax(qq^T s) + softmax(kk^T s) in the last
 * block (Eq. 3), residual and FFN kept, as wangf3014/SCLIP@b56bd30 {@code clip/model.py custom_attn}.
 */
public final class SclipProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "sclip", "SCLIP", "sclip-2024",
      Set.of(Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME), "sclip", ClipDenseMethod.KNOBS);

  public SclipProvider() {
    super(INFO, (info, config) -> new ClipDenseMethod(info, config, AttentionMode.CSA));
  }
}

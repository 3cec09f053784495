package org.ovss.plugins.maskclip;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.AttentionMode;

/**
 * MaskCLIP baseline (Zhou, Loy, Dai. Extract Free Dense Labels from CLIP. ECCV 2022, arXiv:2112.01071) as its
 * official code computes it (chongzhou96/MaskCLIP@245d31f {@code mmseg/models/backbones/vit.py}): the last block's
 * attention replaced by the value path out_proj(v_proj(ln_1 x)), residual and FFN kept, ln_post and
 * proj on every token; key smoothing and prompt denoising off, as in the official defaults.
 */
public final class MaskClipProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "maskclip", "MaskCLIP", "maskclip-2022",
      Set.of(Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME), "sclip", ClipDenseMethod.KNOBS);

  public MaskClipProvider() {
    super(INFO, (info, config) -> new ClipDenseMethod(info, config, AttentionMode.IDENTITY));
  }
}

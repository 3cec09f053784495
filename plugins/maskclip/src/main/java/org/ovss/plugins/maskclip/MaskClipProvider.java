package org.ovss.plugins.maskclip;

import java.util.Set;
import org.ovss.api.Capability;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.AttentionMode;

/**
 * MaskCLIP baseline as its official code computes it (shared/notes/maskclip.md): the last block's
 * attention replaced by the value path out_proj(v_proj(ln_1 x)), residual and FFN kept, ln_post and
 * proj on every token; key smoothing and prompt denoising off, as in the official defaults.
 */
public final class MaskClipProvider implements MethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "maskclip", "MaskCLIP", "baseline: Zhou et al. 2022, Extract Free Dense Labels from CLIP",
      Set.of(Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME), "sclip", ClipDenseMethod.KNOBS);

  @Override
  public MethodInfo info() {
    return INFO;
  }

  @Override
  public SegmentationMethod open(MethodConfig config) {
    return new ClipDenseMethod(INFO, config, AttentionMode.IDENTITY);
  }
}

package org.ovss.plugins.simseg;

import java.util.Set;
import org.ovss.api.BasicMethodProvider;
import org.ovss.api.Capability;
import org.ovss.api.MethodInfo;

/**
 * SimSeg with LoDA (Yi, Cui, Wu, Yang, Yoshie, Lu. A Simple Framework for Text-Supervised Semantic Segmentation.
 * CVPR 2023, doi:10.1109/CVPR52729.2023.00683): a CLIP-style dual encoder trained end to end from scratch with per-channel
 * top-k pooling of image and text tokens; segmentation by per-class patch-text maps, adaptive candidate classes
 * and DenseCRF. Trains from scratch (no {@code trainsFrom}).
 */
public final class SimsegProvider extends BasicMethodProvider {
  static final MethodInfo INFO = new MethodInfo(
      "simseg", "SimSeg",
      "simseg-2023",
      Set.of(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT), "simseg", SimsegOptions.KNOBS);

  public SimsegProvider() {
    super(INFO, SimsegMethod::new);
  }
}

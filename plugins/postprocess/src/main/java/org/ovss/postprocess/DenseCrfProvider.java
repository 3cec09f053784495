package org.ovss.postprocess;

import org.ovss.api.PostProcessor;

/**
 * {@code densecrf}: fully connected CRF (pydensecrf semantics) on class probabilities. Defaults are SimSeg's
 * (tools/seg_evaluation.py): smoothness kernel sxy 3, compat 3; appearance kernel sxy 40, srgb 13, compat 10;
 * 3 mean-field iterations.
 */
public final class DenseCrfProvider extends CheckedProvider {
  static final String ID = "densecrf";

  public DenseCrfProvider() {
    super(ID, "fully connected CRF, permutohedral mean-field (Kraehenbuehl & Koltun 2011, pydensecrf), "
        + "on class probabilities; defaults as SimSeg",
        "iterations", "3", "gaussian-sxy", "3", "gaussian-compat", "3",
        "bilateral-sxy", "40", "bilateral-srgb", "13", "bilateral-compat", "10");
  }

  @Override
  PostProcessor create(Parameters p) {
    return new DenseCrf(new DenseCrf.Settings(p.positiveInt("iterations"), p.positiveFloat("gaussian-sxy"),
        p.positiveFloat("gaussian-compat"), p.positiveFloat("bilateral-sxy"), p.positiveFloat("bilateral-srgb"),
        p.positiveFloat("bilateral-compat")));
  }
}

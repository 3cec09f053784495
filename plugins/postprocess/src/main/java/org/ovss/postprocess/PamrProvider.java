package org.ovss.postprocess;

import org.ovss.api.PostProcessor;

/**
 * {@code pamr}: Pixel-Adaptive Mask Refinement. Parameters {@code iterations} (default 10) and {@code dilations}
 * (default {@code 8,16}), the settings SCLIP and NACLIP use.
 */
public final class PamrProvider extends CheckedProvider {
  static final String ID = "pamr";

  public PamrProvider() {
    super(ID, "Pixel-Adaptive Mask Refinement (Araslanov & Roth 2020, pamr.py as in SCLIP): iterations, dilations",
        "iterations", "10", "dilations", "8,16");
  }

  @Override
  PostProcessor create(Parameters p) {
    return new Pamr(p.positiveInt("iterations"), p.positiveInts("dilations"));
  }
}

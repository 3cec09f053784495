package org.ovss.postprocess;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;

/**
 * {@code pamr}: Pixel-Adaptive Mask Refinement. Parameters {@code iterations} (default 10) and {@code dilations}
 * (default {@code 8,16}), the settings SCLIP and NACLIP use.
 */
public final class PamrProvider implements PostProcessorProvider {
  static final String ID = "pamr";
  private static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("iterations", "10");
    d.put("dilations", "8,16");
    DEFAULTS = Collections.unmodifiableMap(d);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "Pixel-Adaptive Mask Refinement (Araslanov & Roth 2020, pamr.py as in SCLIP): iterations, dilations";
  }

  @Override
  public Map<String, String> defaults() {
    return DEFAULTS;
  }

  @Override
  public PostProcessor create(Map<String, String> parameters) {
    Parameters p = Parameters.of(ID, DEFAULTS, parameters);
    return new Pamr(p.positiveInt("iterations"), p.positiveInts("dilations"));
  }
}

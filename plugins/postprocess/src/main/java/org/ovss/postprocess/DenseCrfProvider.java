package org.ovss.postprocess;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;

/**
 * {@code densecrf}: fully connected CRF (pydensecrf semantics) on class probabilities. Defaults are SimSeg's
 * (tools/seg_evaluation.py): smoothness kernel sxy 3, compat 3; appearance kernel sxy 40, srgb 13, compat 10;
 * 3 mean-field iterations.
 */
public final class DenseCrfProvider implements PostProcessorProvider {
  static final String ID = "densecrf";
  private static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("iterations", "3");
    d.put("gaussian-sxy", "3");
    d.put("gaussian-compat", "3");
    d.put("bilateral-sxy", "40");
    d.put("bilateral-srgb", "13");
    d.put("bilateral-compat", "10");
    DEFAULTS = Collections.unmodifiableMap(d);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "fully connected CRF, permutohedral mean-field (Kraehenbuehl & Koltun 2011, pydensecrf), "
        + "on class probabilities; defaults as SimSeg";
  }

  @Override
  public Map<String, String> defaults() {
    return DEFAULTS;
  }

  @Override
  public PostProcessor create(Map<String, String> parameters) {
    Parameters p = Parameters.of(ID, DEFAULTS, parameters);
    return new DenseCrf(new DenseCrf.Settings(p.positiveInt("iterations"), p.positiveFloat("gaussian-sxy"),
        p.positiveFloat("gaussian-compat"), p.positiveFloat("bilateral-sxy"), p.positiveFloat("bilateral-srgb"),
        p.positiveFloat("bilateral-compat")));
  }
}

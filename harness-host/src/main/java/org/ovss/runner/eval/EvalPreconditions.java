package org.ovss.runner.eval;

import org.ovss.api.InvalidInputException;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.DatasetSpec;
import org.ovss.runner.protocol.Protocol;

/** What an evaluation refuses before it starts: protocol settings that cannot apply to this method and dataset. */
final class EvalPreconditions {
  private EvalPreconditions() {}

  /**
   * Fails with one line naming the protocol and the conflict.
   *
   * @param ownBackground whether the method's own background rule decides background here
   */
  static void check(SegmentationMethod method, DatasetSpec spec, Protocol p, boolean ownBackground) {
    if (!spec.hasBackground() && (p.probThreshold() > 0 || p.bgThreshold() != null)) {
      // SCLIP issue #2: a probability threshold on a dataset without a background class ruins the score.
      throw new InvalidInputException("protocol " + p.name() + " sets a background threshold, but dataset " + spec.name()
          + " has no background class: set --prob-thd 0 and --bg-threshold off");
    }
    if (!ownBackground && p.bgThreshold() != null && p.bgThreshold() > 1) {
      throw new InvalidInputException("bgThreshold " + p.bgThreshold() + " of protocol " + p.name() + " is a probability"
          + " for method " + method.info().id() + " (it has no background rule of its own): it must be in [0, 1]");
    }
    if (ownBackground && (p.pamr() != null || p.crf() != null || p.areaThreshold() != null || p.probThreshold() > 0)) {
      throw new InvalidInputException("method " + method.info().id() + " decides background with its own rule under a"
          + " background threshold; PAMR, DenseCRF, the area threshold and the probability threshold do not apply to"
          + " its scores: turn them off in protocol " + p.name());
    }
    if (p.slide() && p.crop() < method.inputSpec().patchSize()) {
      throw new InvalidInputException("crop " + p.crop() + " is smaller than the patch size " + method.inputSpec().patchSize());
    }
  }
}

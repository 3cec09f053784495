package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.function.UnaryOperator;
import org.ovss.nn.Scopes;

/** Small helpers shared by the CLIP blocks. */
final class Blocks {
  private Blocks() {}

  /**
   * One step of a forward whose intermediates are freed as soon as it returns, at inference. DJL frees an
   * intermediate only when its manager closes, so a transformer run in the caller's manager holds every layer's
   * activations to the end: 171 classes x 80 prompts through the text tower reached 12 GB. Under training the
   * step runs in the caller's manager, as autograd needs.
   */
  static NDArray step(NDArray x, boolean training, UnaryOperator<NDArray> body) {
    return training ? body.apply(x) : Scopes.inSubScope(x, body);
  }

  static Parameter weight(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
  }

  static Parameter bias(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BIAS).build();
  }

  static Parameter gamma(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).build();
  }

  static Parameter beta(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BETA).build();
  }
}

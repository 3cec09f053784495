package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.ovss.nn.NamedWeights;

/**
 * The named arrays one forward pass reads: the model's parameters at inference, or a training step's
 * effective values (see {@link SegclipTraining}). Names are the official SegCLIP state-dict names.
 */
final class Params implements NamedWeights {
  private final Map<String, NDArray> arrays;

  Params(Map<String, NDArray> arrays) {
    this.arrays = arrays;
  }

  @Override
  public NDArray get(String name) {
    NDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalStateException("the model has no parameter '" + name + "'");
    }
    return a;
  }

  @Override
  public NDArray find(String name) {
    return arrays.get(name);
  }

  boolean has(String name) {
    return arrays.containsKey(name);
  }
}

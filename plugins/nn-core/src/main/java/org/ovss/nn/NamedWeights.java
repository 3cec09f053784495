package org.ovss.nn;

import ai.djl.ndarray.NDArray;

/** Read access to weights by their official state-dict names. */
public interface NamedWeights {
  /** The weight {@code name}, or null. */
  NDArray find(String name);

  /** The weight {@code name}; fails naming it if there is none. */
  default NDArray get(String name) {
    NDArray a = find(name);
    if (a == null) {
      throw new IllegalStateException("no weight named '" + name + "'");
    }
    return a;
  }
}

package org.ovss.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/** Forward passes whose intermediates are freed at once while the result stays with the caller. */
public final class Scopes {
  private Scopes() {}

  /**
   * {@code body(input)} in a sub-manager of the input's manager: the input is attached there for the call and
   * returned to its manager afterwards, the result is attached to the input's manager, everything else the body
   * made is closed with the sub-manager.
   */
  public static NDArray inSubScope(NDArray input, UnaryOperator<NDArray> body) {
    NDManager caller = input.getManager();
    try (NDManager scope = caller.newSubManager()) {
      input.tempAttach(scope);
      NDArray out = body.apply(input);
      out.attach(caller);
      return out;
    }
  }
}

package org.ovss.nn;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant that is safe under autograd. DJL's scalar overloads ({@code
 * mul(Number)}, {@code div(Number)}) wrap the number in an array over a Java direct buffer and close that array
 * as soon as the op returns; autograd keeps the operand for the backward pass, and once the buffer is collected
 * the backward reads freed memory: gradients silently scaled by garbage, now and then NaN or infinite. A
 * constant made in the operand's manager lives until that manager (a training step's scope) closes. Plugins call
 * these instead of the overloads; plugin-testkit's {@code ScalarOverloadScanTest} fails the build on any overload
 * call in a plugin's main sources.
 */
public final class Scalars {
  private Scalars() {}

  /** A 0-d float32 constant in {@code like}'s manager. */
  public static NDArray of(NDArray like, float value) {
    return like.getManager().create(value);
  }

  public static NDArray mul(NDArray x, float value) {
    return x.mul(of(x, value));
  }

  public static NDArray div(NDArray x, float value) {
    return x.div(of(x, value));
  }

  public static NDArray add(NDArray x, float value) {
    return x.add(of(x, value));
  }

  public static NDArray sub(NDArray x, float value) {
    return x.sub(of(x, value));
  }

  /** Elementwise max(x, value), e.g. a floor under a norm before dividing by it. */
  public static NDArray maximum(NDArray x, float value) {
    return x.maximum(of(x, value));
  }

  /**
   * {@code torch.clamp_min(x, min)}: the gradient passes wherever x >= min. ({@link #maximum} differs at ties, where
   * PyTorch halves the gradient.) The bounds are arrays of x's manager ({@code clip} creates them there), so autograd
   * may keep them.
   */
  public static NDArray clampMin(NDArray x, float min) {
    return x.clip(min, Float.MAX_VALUE);
  }
}

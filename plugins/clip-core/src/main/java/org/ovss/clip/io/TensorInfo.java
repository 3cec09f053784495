package org.ovss.clip.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * Name, element type and shape of a stored tensor. Equality, hash code and string form use the
 * shape's contents; the shape is copied in and out, so an instance is immutable.
 */
public record TensorInfo(String name, TensorDType dtype, long[] shape) {

  /**
   * @throws IllegalArgumentException if a dimension is negative
   */
  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
    }
  }

  /** A copy of the shape. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /**
   * Number of elements (1 for a scalar).
   *
   * @throws ArithmeticException if it does not fit in a long
   */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/** y = x W^T + b with PyTorch's [out, in] weight layout and fixed shapes (so loading needs no input shape). */
final class ClipLinear extends WeightBiasBlock {
  private final int out;

  ClipLinear(int in, int out) {
    super(Blocks.weight("weight"), new Shape(out, in), Blocks.bias("bias"), new Shape(out));
    this.out = out;
  }

  @Override
  NDArray apply(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/** LayerNorm over the last axis with CLIP's epsilon 1e-5, named {@code weight}/{@code bias} like PyTorch. */
final class ClipLayerNorm extends WeightBiasBlock {
  private static final float EPS = 1e-5f;

  private final int width;

  ClipLayerNorm(int width) {
    super(Blocks.gamma("weight"), new Shape(width), Blocks.beta("bias"), new Shape(width));
    this.width = width;
  }

  @Override
  NDArray apply(NDArray x, NDArray weight, NDArray bias) {
    return LayerNorm.layerNorm(x, new Shape(width), weight, bias, EPS).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}

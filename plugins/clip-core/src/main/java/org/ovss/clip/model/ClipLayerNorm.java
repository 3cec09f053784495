package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/** LayerNorm over the last axis with CLIP's epsilon 1e-5, named {@code weight}/{@code bias} like PyTorch. */
final class ClipLayerNorm extends AbstractBlock implements StateDictBlock {
  private static final float EPS = 1e-5f;

  private final int width;
  private final Parameter weight;
  private final Parameter bias;

  ClipLayerNorm(int width) {
    this.width = width;
    weight = addParameter(Blocks.gamma("weight"));
    bias = addParameter(Blocks.beta("bias"));
  }

  NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    return LayerNorm.layerNorm(
            x, new Shape(width), ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training), EPS)
        .singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.singletonOrThrow(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  @Override
  public void stateDict(String prefix, Map<String, NamedParameter> out) {
    out.put(prefix + "weight", new NamedParameter(weight, new Shape(width)));
    out.put(prefix + "bias", new NamedParameter(bias, new Shape(width)));
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/** y = x W^T + b with PyTorch's [out, in] weight layout and fixed shapes (so loading needs no input shape). */
final class ClipLinear extends AbstractBlock implements StateDictBlock {
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;

  ClipLinear(int in, int out) {
    this.in = in;
    this.out = out;
    weight = addParameter(Blocks.weight("weight"));
    bias = addParameter(Blocks.bias("bias"));
  }

  NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    return Linear.linear(x, ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training))
        .singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.singletonOrThrow(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
  }

  @Override
  public void stateDict(String prefix, Map<String, NamedParameter> outMap) {
    outMap.put(prefix + "weight", new NamedParameter(weight, new Shape(out, in)));
    outMap.put(prefix + "bias", new NamedParameter(bias, new Shape(out)));
  }
}

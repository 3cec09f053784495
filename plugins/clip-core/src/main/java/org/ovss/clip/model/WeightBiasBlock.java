package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * A block of one input and two parameters named {@code weight} and {@code bias} like PyTorch's, of fixed shapes (so
 * loading needs no input shape): what {@link ClipLinear} and {@link ClipLayerNorm} share.
 */
abstract class WeightBiasBlock extends AbstractBlock implements StateDictBlock {
  private final Parameter weight;
  private final Shape weightShape;
  private final Parameter bias;
  private final Shape biasShape;

  WeightBiasBlock(Parameter weight, Shape weightShape, Parameter bias, Shape biasShape) {
    this.weight = addParameter(weight);
    this.weightShape = weightShape;
    this.bias = addParameter(bias);
    this.biasShape = biasShape;
  }

  /** The block's function of {@code x} and its parameters' values. */
  abstract NDArray apply(NDArray x, NDArray weight, NDArray bias);

  final NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    return apply(x, ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training));
  }

  @Override
  protected final NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.singletonOrThrow(), training));
  }

  @Override
  public final void stateDict(String prefix, Map<String, NamedParameter> out) {
    out.put(prefix + "weight", new NamedParameter(weight, weightShape));
    out.put(prefix + "bias", new NamedParameter(bias, biasShape));
  }
}

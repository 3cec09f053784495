package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ovss.nn.Scalars;

/**
 * The group assignments of GroupViT's {@code AssignAttention} (NVlabs/GroupViT {@code models/group_vit.py}
 * {@code hard_softmax}, {@code gumbel_softmax}): a softmax over the groups axis, made one-hot by its argmax
 * with the straight-through estimator, y_hard - stop_gradient(y_soft) + y_soft, whose forward value is the
 * one-hot and whose gradient is the softmax's.
 */
public final class Assignment {
  private Assignment() {}

  /** {@code hard_softmax}: the one-hot argmax of softmax(logits) along {@code axis}, straight-through. */
  public static NDArray hardSoftmax(NDArray logits, int axis) {
    return straightThrough(logits.softmax(axis), axis);
  }

  /**
   * {@code gumbel_softmax(logits, tau, hard)}: softmax((logits + gumbel noise) / tau) along {@code axis},
   * one-hot with the straight-through estimator when {@code hard}.
   *
   * @param gumbelNoise standard Gumbel samples of {@code logits}' shape (see {@link #gumbelNoise})
   */
  public static NDArray gumbelSoftmax(NDArray logits, NDArray gumbelNoise, float tau, boolean hard, int axis) {
    NDArray soft = Scalars.div(logits.add(gumbelNoise), tau).softmax(axis);
    return hard ? straightThrough(soft, axis) : soft;
  }

  /**
   * Standard Gumbel samples -log(-log(u)) for u uniform in (0, 1), drawn from {@code random} in row-major order,
   * so that a seeded generator gives the same noise on every machine.
   */
  public static float[] gumbelNoise(java.util.Random random, int count) {
    float[] g = new float[count];
    for (int i = 0; i < count; i++) {
      double u;
      do {
        u = random.nextDouble();
      } while (u <= 0.0);
      g[i] = (float) -Math.log(-Math.log(u));
    }
    return g;
  }

  private static NDArray straightThrough(NDArray soft, int axis) {
    int rank = soft.getShape().dimension();
    int ax = axis < 0 ? axis + rank : axis;
    int depth = (int) soft.getShape().get(ax);
    // One-hot of the argmax along `ax`: the index, kept as a size-1 axis, compared with 0..depth-1 on that axis.
    NDArray index = soft.argMax(ax).expandDims(ax); // [..., 1, ...]
    long[] rangeShape = new long[rank];
    java.util.Arrays.fill(rangeShape, 1);
    rangeShape[ax] = depth;
    NDArray range = soft.getManager().arange(0, depth, 1, DataType.INT64).reshape(new Shape(rangeShape));
    NDArray hard = index.eq(range).toType(DataType.FLOAT32, false); // [..., depth, ...]
    return hard.sub(soft.stopGradient()).add(soft);
  }
}

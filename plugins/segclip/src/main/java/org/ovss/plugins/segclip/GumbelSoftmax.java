package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import java.util.Random;
import org.ovss.nn.Scalars;

/**
 * The official {@code gumbel_softmax(logits, tau, hard=True, dim)} of {@code module_seg_vit.py}:
 * y = softmax((logits + g) / tau) with Gumbel(0, 1) noise g in training, y = softmax(logits) at
 * evaluation, and the straight-through one-hot one_hot(argmax y) - stopgrad(y) + y, whose value is the
 * one-hot and whose gradient is y's.
 */
public final class GumbelSoftmax {
  private GumbelSoftmax() {}

  /**
   * @param logits [B, L, N] (the axis is 1, the centres) or [B, N, L] (axis 2)
   * @param gumbel noise of the same shape, or null for the evaluation form (no noise, no temperature)
   * @param axis 1 or 2, the axis the softmax and the one-hot run along
   */
  public static NDArray hard(NDArray logits, NDArray gumbel, float tau, int axis) {
    if (logits.getShape().dimension() != 3 || (axis != 1 && axis != 2)) {
      throw new IllegalArgumentException("logits must be 3-D with the category axis 1 or 2, got " + logits.getShape()
          + " and axis " + axis);
    }
    NDArray soft = gumbel == null ? logits.softmax(axis) : Scalars.div(logits.add(gumbel), tau).softmax(axis);
    int depth = (int) logits.getShape().get(axis);
    NDArray oneHot = soft.argMax(axis).oneHot(depth); // [B, other, depth]
    if (axis == 1) {
      oneHot = oneHot.transpose(0, 2, 1);
    }
    return oneHot.sub(soft.stopGradient()).add(soft);
  }

  /**
   * Gumbel(0, 1) samples -log(-log u) with u uniform on [tiny, 1 - eps), as {@code
   * torch.distributions.Gumbel} draws them, from a seeded Java generator so that a training step's noise
   * depends only on its seed.
   */
  public static float[] noise(Random random, int count) {
    float[] g = new float[count];
    double lo = Float.MIN_NORMAL;
    double hi = 1.0 - Math.ulp(1.0f);
    for (int i = 0; i < count; i++) {
      double u = Math.min(Math.max(random.nextDouble(), lo), hi);
      g[i] = (float) -Math.log(-Math.log(u));
    }
    return g;
  }
}

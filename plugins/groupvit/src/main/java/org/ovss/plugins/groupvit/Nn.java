package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.ovss.clip.model.Scalars;

/**
 * The functional building blocks of GroupViT on NDArrays, with weights looked up by their official names.
 *
 * <p>Every operation's receiver is an activation, never a weight: DJL attaches a result to the receiver's
 * manager, so this keeps a forward pass's intermediates in the caller's scope and out of the manager that
 * owns the weights. Constants go through clip-core's {@link Scalars}, never DJL's scalar overloads, which free
 * the constant before the backward pass reads it.
 */
final class Nn {
  /** LayerNorm epsilon of {@code nn.LayerNorm}. */
  static final float LN_EPS = 1e-5f;

  private Nn() {}

  /** {@code nn.Linear} named {@code prefix.weight} / {@code prefix.bias} (bias optional). */
  static NDArray linear(Weights w, String prefix, NDArray x) {
    return Linear.linear(x, w.get(prefix + ".weight"), w.find(prefix + ".bias")).singletonOrThrow();
  }

  /** {@code nn.LayerNorm} over the last axis named {@code prefix.weight} / {@code prefix.bias}. */
  static NDArray layerNorm(Weights w, String prefix, NDArray x) {
    NDArray gamma = w.get(prefix + ".weight");
    return LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, w.get(prefix + ".bias"), LN_EPS)
        .singletonOrThrow();
  }

  /** timm {@code Mlp}: fc1, exact (erf) GELU, fc2. */
  static NDArray mlp(Weights w, String prefix, NDArray x) {
    return linear(w, prefix + ".fc2", Activation.gelu(linear(w, prefix + ".fc1", x)));
  }

  /** [B, L, C] to [B, heads, L, C / heads]. */
  static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /** [B, heads, L, d] to [B, L, heads * d]. */
  static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  /** Divides by the L2 norm along the last axis with {@code F.normalize}'s floor of 1e-12 on the norm. */
  static NDArray l2Normalize(NDArray x) {
    return x.div(Scalars.maximum(x.norm(new int[] {-1}, true), 1e-12f));
  }

  /** Read access to named weights. */
  interface Weights {
    /** The weight {@code name}; fails if there is none. */
    NDArray get(String name);

    /** The weight {@code name}, or null. */
    NDArray find(String name);
  }
}

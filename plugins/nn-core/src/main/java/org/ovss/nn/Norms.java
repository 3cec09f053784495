package org.ovss.nn;

import ai.djl.ndarray.NDArray;

/**
 * L2 normalisation along the last axis. The epsilon rule is explicit in the call, never implied: {@link
 * #l2Normalize(NDArray)} divides by the norm as it is (CLIP compares embeddings so, and {@code F.normalize} does the
 * same on every row whose norm exceeds its floor); {@link #l2Normalize(NDArray, float)} divides by max(norm, floor),
 * {@code F.normalize(x, dim=-1, eps=floor)} exactly (GroupViT's 1e-12). Each caller keeps the rule its official code
 * uses, so that the two give bit-identical results on every row with a norm above the floor.
 */
public final class Norms {
  /** {@code F.normalize}'s default floor on the norm. */
  public static final float TORCH_NORMALIZE_EPS = 1e-12f;

  private Norms() {}

  /** x / ||x|| along the last axis, no epsilon (a zero row gives NaN). */
  public static NDArray l2Normalize(NDArray x) {
    return x.div(x.norm(new int[] {-1}, true));
  }

  /** x / max(||x||, floor) along the last axis; the floor enters through {@link Scalars} (safe under autograd). */
  public static NDArray l2Normalize(NDArray x, float floor) {
    return x.div(Scalars.maximum(x.norm(new int[] {-1}, true), floor));
  }
}

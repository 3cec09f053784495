package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ovss.nn.Norms;

/**
 * LoDA, SimSeg's locality-driven alignment (Yi et al. CVPR 2023, Section 4.2, Eqs. 2-3): "maximum response
 * selection" per channel. For every channel the k largest values over the token axis are averaged; different
 * channels may take their values from different tokens (official {@code TopKPooling.forward}: {@code
 * x.topk(k, dim=1)} then {@code gather(...).mean(1)}, muyangyi/SimSeg@50f3f59). The pooled vector is then
 * L2-normalised, as the official {@code forward_image_project} / {@code forward_text_project} do with the
 * {@code simple} projection.
 */
public final class Loda {
  /** What the official {@code TopKPooling} writes into padded text positions before the top-k. */
  static final float PADDING_VALUE = -10000f;

  private Loda() {}

  /**
   * Per-channel mean of the {@code k} largest values over the tokens.
   *
   * @param tokens [B, N, D]
   * @param k values per channel, at least 1; more than N takes all N (a grid smaller than k)
   * @return [B, D], not normalised
   */
  public static NDArray topKMean(NDArray tokens, int k) {
    requireTokens(tokens);
    if (k < 1) {
      throw new IllegalArgumentException("LoDA needs k >= 1, got " + k);
    }
    int kk = (int) Math.min(k, tokens.getShape().get(1));
    NDArray top = tokens.topK(kk, 1, true, true).get(0); // [B, k, D]
    return top.mean(new int[] {1}); // [B, D]
  }

  /**
   * Per-channel mean of the {@code k} largest values over the valid tokens of each row: padded positions are
   * set to {@value #PADDING_VALUE} first (as the official code), so they are never among the top values. A
   * row with fewer than {@code k} valid tokens averages all of them: k is lowered per row, where the official
   * code lowers it to the shortest caption of the whole batch (see README, Deviations).
   *
   * @param tokens [B, L, D]
   * @param valid B x L flags, row-major: true for the tokens to pool
   * @param k values per channel, at least 1
   * @return [B, D], not normalised
   * @throws IllegalArgumentException if a row has no valid token
   */
  public static NDArray maskedTopKMean(NDArray tokens, boolean[] valid, int k) {
    requireTokens(tokens);
    if (k < 1) {
      throw new IllegalArgumentException("LoDA needs k >= 1, got " + k);
    }
    int b = (int) tokens.getShape().get(0);
    int len = (int) tokens.getShape().get(1);
    if (valid.length != b * len) {
      throw new IllegalArgumentException("validity mask of " + valid.length + " flags does not match tokens " + tokens.getShape());
    }
    float[] keep = new float[b * len];
    float[] fill = new float[b * len];
    int[] rowK = new int[b];
    int widest = 0;
    for (int r = 0; r < b; r++) {
      int count = 0;
      for (int j = 0; j < len; j++) {
        boolean v = valid[r * len + j];
        keep[r * len + j] = v ? 1f : 0f;
        fill[r * len + j] = v ? 0f : PADDING_VALUE;
        count += v ? 1 : 0;
      }
      if (count == 0) {
        throw new IllegalArgumentException("row " + r + " has no valid token to pool");
      }
      rowK[r] = Math.min(k, count);
      widest = Math.max(widest, rowK[r]);
    }
    // The masks are constants of the caller's manager, never Java scalars (clip-core Scalars explains why).
    NDManager m = tokens.getManager();
    NDArray masked = tokens.mul(m.create(keep, new Shape(b, len, 1))).add(m.create(fill, new Shape(b, len, 1))); // [B, L, D]
    NDArray top = masked.topK(widest, 1, true, true).get(0); // [B, k', D], descending
    float[] weights = new float[b * widest];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < rowK[r]; j++) {
        weights[r * widest + j] = 1f / rowK[r];
      }
    }
    return top.mul(m.create(weights, new Shape(b, widest, 1))).sum(new int[] {1}); // [B, D]
  }

  /** {@link #topKMean} divided by its L2 norm: the LoDA embedding of an image. */
  public static NDArray imageEmbedding(NDArray patchTokens, int k) {
    return Norms.l2Normalize(topKMean(patchTokens, k));
  }

  /** {@link #maskedTopKMean} divided by its L2 norm: the LoDA embedding of a text. */
  public static NDArray textEmbedding(NDArray textTokens, boolean[] valid, int k) {
    return Norms.l2Normalize(maskedTopKMean(textTokens, valid, k));
  }


  private static void requireTokens(NDArray tokens) {
    if (tokens.getShape().dimension() != 3 || tokens.getShape().get(1) < 1) {
      throw new IllegalArgumentException("LoDA pools tokens [B, N, D], got " + tokens.getShape());
    }
  }
}

package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import org.ovss.nn.Scalars;

/**
 * SegCLIP's superpixel-based KL loss (Luo et al. ICML 2023, Section 2.4, Eqs. 5-6) as
 * ArrowLuo/SegCLIP@df09ba2
 * computes it ({@code modules/modeling.py}, {@code use_seglabel}): with M [B, N, L] the straight-through
 * assignment of each patch and S [B, N, N] the indicator of two patches sharing a super-patch,
 * C = S M / max(rowsum S, 1) is the super-patch mean of the assignment rows, and
 *
 * <pre>
 *   loss = (KL(softmax C || softmax M) + KL(softmax M || softmax C)) / 2 / norm
 * </pre>
 *
 * summed over every patch and centre, with norm = B N L ({@link Normalisation#CODE}) or B N, the
 * printed Eq. 6 averaged over the batch ({@link Normalisation#PAPER}, L times larger).
 */
public final class SuperpixelKl {
  private SuperpixelKl() {}

  /** The divisor of the summed KL terms. */
  public enum Normalisation {
    /** B x N x L, as the official code ({@code coef_}). */
    CODE,
    /** B x N, as Eq. 6 (1 / 2N over the patches, pairs of KL) averaged over the batch. */
    PAPER
  }

  /**
   * @param assignment M, the per-patch assignment [B, N, L]
   * @param same S, 1 where two patches share a super-patch (the diagonal included) [B, N, N]
   * @return the loss, 0-d
   */
  public static NDArray loss(NDArray assignment, NDArray same, Normalisation norm) {
    long b = assignment.getShape().get(0);
    long n = assignment.getShape().get(1);
    long l = assignment.getShape().get(2);
    NDArray counts = same.sum(new int[] {2}, true);
    counts = counts.maximum(Scalars.of(counts, 1f)); // [B, N, 1]
    NDArray mean = same.matMul(assignment).div(counts); // [B, N, L]
    NDArray logM = assignment.logSoftmax(-1);
    NDArray logC = mean.logSoftmax(-1);
    NDArray klCm = logC.exp().mul(logC.sub(logM)).sum(); // F.kl_div(log_softmax(M), softmax(C), 'sum')
    NDArray klMc = logM.exp().mul(logM.sub(logC)).sum(); // F.kl_div(log_softmax(C), softmax(M), 'sum')
    float divisor = norm == Normalisation.CODE ? (float) (b * n * l) : (float) (b * n);
    return Scalars.div(klCm.add(klMc), 2f * divisor);
  }
}

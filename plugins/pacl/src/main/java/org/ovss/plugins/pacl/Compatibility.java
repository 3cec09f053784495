package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * PACL's patch-aligned compatibility function and loss (Mukhoti et al. CVPR 2023, Section 5,
 * Eqs. 1-4), differentiable with respect to the embedded patches.
 *
 * <ol>
 *   <li>s(x, y) = sim(ê_v(f̂_v(x)), e_t(f_t(y))) per patch (Eq. 2): cosine (default; the paper's text and
 *       Figure 5) or dot product (the printed equation);
 *   <li>a(x, y) = softmax over the patches of s / tau_p (the paper; tau_p UNSTATED, setting {@code
 *       patch-temperature}), or sigmoid(s / tau_p) per patch (NMS05 {@code patch_alignment}: sigmoid(10 cos),
 *       i.e. tau_p = 0.1);
 *   <li>v̂ = sum over patches of a x ê_v(f̂_v(x)) (Eq. 3; the unnormalised embedded patches);
 *   <li>φ̂(x, y) = cos(v̂, e_t(f_t(y))) (Eq. 4).
 * </ol>
 *
 * <p>The pooled vector depends on the text, so a batch of k pairs needs φ̂ for all k x k (image, text)
 * combinations ({@link #pairwise}), as the paper's InfoNCE with φ̂ in place of φ implies. NMS05 pools each
 * image with its own caption only and compares that one vector with every caption ({@link #ownPairing}).
 */
final class Compatibility {
  private Compatibility() {}

  /** s [B, T, K] of embedded patches [B, T, D] and text embeddings [K, D]. */
  static NDArray similarity(PaclConfig.Similarity similarity, NDArray patches, NDArray texts) {
    return similarity == PaclConfig.Similarity.COSINE
        ? Norms.l2Normalize(patches).matMul(Norms.l2Normalize(texts).transpose())
        : patches.matMul(texts.transpose());
  }

  /** Patch weights a from s [B, T, ...]: softmax over axis 1 (the patches) or an element-wise sigmoid. */
  static NDArray weights(PaclConfig.Weighting weighting, NDArray s, double patchTemperature) {
    NDArray z = Scalars.mul(s, (float) (1 / patchTemperature));
    return weighting == PaclConfig.Weighting.SOFTMAX ? z.softmax(1) : Activation.sigmoid(z);
  }

  /**
   * φ̂ [B, K] of every image of a batch with every text.
   *
   * @param patches embedded patches ê_v(f̂_v(x)) [B, T, D]
   * @param texts text embeddings e_t(f_t(y)) [K, D] (normalised or not)
   */
  static NDArray pairwise(PaclConfig c, NDArray patches, NDArray texts) {
    NDArray s = similarity(c.similarity(), patches, texts); // [B, T, K]
    NDArray a = weights(c.weighting(), s, c.patchTemperature()); // [B, T, K]
    NDArray pooled = a.transpose(0, 2, 1).matMul(patches); // [B, K, D]
    return Norms.l2Normalize(pooled).mul(Norms.l2Normalize(texts)).sum(new int[] {2}); // [B, K]
  }

  /**
   * NMS05's pairing: image i pooled with its own caption i only, that vector compared with every caption,
   * [B, B] (rows images, columns texts).
   *
   * @param texts the batch's captions [B, D], caption i belonging to image i
   */
  static NDArray ownPairing(PaclConfig c, NDArray patches, NDArray texts) {
    NDArray t = texts.expandDims(1); // [B, 1, D]
    NDArray s = c.similarity() == PaclConfig.Similarity.COSINE
        ? Norms.l2Normalize(patches).mul(Norms.l2Normalize(t)).sum(new int[] {2})
        : patches.mul(t).sum(new int[] {2}); // [B, T]
    NDArray a = weights(c.weighting(), s, c.patchTemperature()); // [B, T]
    NDArray pooled = patches.mul(a.expandDims(2)).sum(new int[] {1}); // [B, D]
    return Norms.l2Normalize(pooled).matMul(Norms.l2Normalize(texts).transpose()); // [B, B]
  }

  /**
   * Symmetric InfoNCE with the pairs on the diagonal (Eq. 1 with the -log the printed equation lacks):
   * logits = φ̂ / temperature, cross-entropy over texts per image and over images per text, mean of the two.
   *
   * @param phi compatibilities [B, B], rows images, columns texts
   */
  static NDArray infoNce(NDArray phi, double temperature) {
    long b = phi.getShape().get(0);
    NDArray logits = Scalars.mul(phi, (float) (1 / temperature));
    NDArray eye = phi.getManager().eye((int) b);
    NDArray imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
    NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
    return Scalars.div(imageToText.add(textToImage), 2f * b);
  }
}

package org.ovss.api;

/**
 * Refines the per-class scores of one image at evaluation resolution (PAMR, DenseCRF, a method's own
 * refinement). Instances are created per run by a {@link PostProcessorProvider} and may be used from
 * one thread at a time.
 */
public interface PostProcessor {

  /**
   * @param scores per-class scores [classes, height, width] row-major (logits or probabilities, as the
   *     post-processor documents); their size may differ from the image's
   * @param classes number of score channels
   * @param height rows of {@code scores}
   * @param width columns of {@code scores}
   * @param image the image the scores belong to
   * @return refined scores [classes, image.height(), image.width()]
   */
  float[] refine(float[] scores, int classes, int height, int width, ImageContext image);
}

package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.ovss.nn.Scalars;

/**
 * PACL's background rule for VOC (PACL paper, Appendix A.3): "mask
 * predictions with entropy above 1.5 as background". At each position the class distribution is the
 * softmax over the queries of scale x logits, a class's probability being the sum over its queries
 * (synonyms); its entropy H is taken in nats (the paper gives no unit; ln 20 = 3.0 is the VOC maximum).
 *
 * <p>Scores for {@link org.ovss.api.ScoresWithBackground}: channels 1..Q are the query probabilities
 * (the runner takes each class's maximum over its queries and the argmax over channels), channel 0 is
 * max_q p_q + (H - threshold). So channel 0 wins exactly where H > threshold (at H = threshold it ties
 * with the best class and the runner's argmax, first index first, picks background; a set of measure
 * zero), and otherwise the best class does. The score is continuous, so that averaging overlapping
 * windows (slide mode) blends the rule rather than votes: where the mean entropy exceeds the threshold,
 * background wins.
 */
final class EntropyBackground {
  /** Probabilities below this count as this in the logarithm (0 log 0 = 0). */
  private static final float TINY = 1e-30f;

  private EntropyBackground() {}

  /**
   * @param logits per-query similarities [B, Q, H, W]
   * @param queryClass class of each query
   * @param classCount number of classes
   * @param scale class logit scale (the multiplier before the softmax)
   * @param threshold entropy threshold in nats
   * @return [B, 1 + Q, H, W], channel 0 the background score
   */
  static NDArray scores(NDArray logits, int[] queryClass, int classCount, double scale, double threshold) {
    NDArray probs = Scalars.mul(logits, (float) scale).softmax(1); // [B, Q, H, W]
    NDArray entropy = entropy(classProbabilities(probs, queryClass, classCount)); // [B, H, W]
    NDArray background = Scalars.sub(probs.max(new int[] {1}).add(entropy), (float) threshold).expandDims(1); // [B, 1, H, W]
    return background.concat(probs, 1);
  }

  /** Class probabilities [B, H, W, C]: each class's query probabilities summed. */
  static NDArray classProbabilities(NDArray probs, int[] queryClass, int classCount) {
    NDArray last = probs.transpose(0, 2, 3, 1); // [B, H, W, Q]
    boolean identity = queryClass.length == classCount;
    for (int q = 0; identity && q < queryClass.length; q++) {
      identity = queryClass[q] == q;
    }
    if (identity) {
      return last;
    }
    float[] member = new float[queryClass.length * classCount];
    for (int q = 0; q < queryClass.length; q++) {
      member[q * classCount + queryClass[q]] = 1f;
    }
    return last.matMul(probs.getManager().create(member, new Shape(queryClass.length, classCount))); // [B, H, W, C]
  }

  /** Entropy in nats over the last axis of a distribution. */
  static NDArray entropy(NDArray p) {
    return p.mul(Scalars.maximum(p, TINY).log()).sum(new int[] {-1}).neg();
  }
}

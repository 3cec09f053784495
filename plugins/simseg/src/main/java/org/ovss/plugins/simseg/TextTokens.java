package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.TextTransformer;

/**
 * SimSeg's text tower on clip-core's CLIP text transformer: bidirectional, padding-masked attention over the tokens
 * from the start to the end-of-text token, and ln_final + text_projection applied to every position, because LoDA
 * pools over the tokens. The official text encoder is BERT (bidirectional, its padding masked by the attention mask)
 * followed by a per-token projection (Yi et al. A Simple Framework for Text-Supervised Semantic Segmentation. CVPR
 * 2023, Section 4.2; muyangyi/SimSeg@50f3f59 {@code simseg/models/pipelines/clip.py}); under CLIP's causal mask the
 * words before the class name ("a bad photo of a") would get the same features for every class.
 */
final class TextTokens {
  private TextTokens() {}

  /**
   * @param ids token ids [B, L] as {@code ClipTokenizer.tokenize} frames them, L at most the context length
   * @param training keep the intermediates in the ids' manager for a backward pass (else each block's are freed)
   * @return ln_final + text_projection of every position, [B, L, E]
   */
  static NDArray forward(ClipModel model, NDArray ids, boolean training) {
    return model.text().forwardTokens(new ParameterStore(ids.getManager(), false), ids, true, training);
  }

  /**
   * The tokens LoDA pools: every token of the caption, from the start token to the end-of-text token, both
   * included, as the official {@code TopKPooling} pools every position its attention mask keeps (BERT's
   * {@code [CLS]} and {@code [SEP]} among them); the padding after the end is left out. End of text is the first
   * largest id of a row, as clip-core's tower finds it.
   *
   * @return B x L flags, row-major
   */
  static boolean[] poolable(NDArray ids) {
    long[] eot = TextTransformer.eotPositions(ids);
    int len = (int) ids.getShape().get(1);
    boolean[] valid = new boolean[eot.length * len];
    for (int r = 0; r < eot.length; r++) {
      if (eot[r] == 0) {
        throw new IllegalArgumentException("token row " + r + " has no end-of-text token after its start token");
      }
      for (int j = 0; j <= eot[r]; j++) {
        valid[r * len + j] = true;
      }
    }
    return valid;
  }
}

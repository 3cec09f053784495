package org.ovss.clip.tokenizer;

import java.util.function.IntSupplier;
import org.ovss.api.MethodConfig;

/**
 * The tokenizer of an opened method, found by {@link ModelTokenizer#resolve} from the method's configuration on first
 * use and kept: a method opened only to encode images never reads one.
 */
public final class LazyTokenizer {
  private final MethodConfig config;
  private final String methodId;
  private final String howToPass;
  private ClipTokenizer tokenizer;

  /**
   * @param methodId the method's id, named when it was opened without weights
   * @param howToPass how a user names the tokenizer, for the error message ({@code --tokenizer})
   */
  public LazyTokenizer(MethodConfig config, String methodId, String howToPass) {
    this.config = config;
    this.methodId = methodId;
    this.howToPass = howToPass;
  }

  /**
   * The tokenizer of {@link MethodConfig#tokenizer()}, else the one beside the weights, else CLIP's bundled one.
   *
   * @param vocabSize the rows of the model's token embedding (asked only on the first call)
   */
  public synchronized ClipTokenizer get(IntSupplier vocabSize) {
    if (tokenizer == null) {
      tokenizer = ModelTokenizer.resolve(config.tokenizer(), config.requireWeights(methodId), vocabSize.getAsInt(),
          howToPass);
    }
    return tokenizer;
  }
}

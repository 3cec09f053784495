package org.ovss.clip.train;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Trainable;
import org.ovss.clip.tokenizer.ClipTokenizer;

/**
 * What a training on image-caption pairs keeps besides its loss: the model it trains, the CLIP-style tokenizer of the
 * captions (exported beside the weights), the pairs, and the arrays the engine updates, by name in the order the
 * subclass's constructor puts them into {@link #parameters}.
 *
 * @param <M> the model
 */
public abstract class CaptionTraining<M> implements Trainable {
  protected final M model;
  protected final ClipTokenizer tokenizer;
  protected final ImageTextSource data;
  /** The trainable arrays by parameter name, filled by the subclass's constructor. */
  protected final Map<String, NDArray> parameters = new LinkedHashMap<>();
  private final Map<String, NDArray> view = Collections.unmodifiableMap(parameters);

  /**
   * @param modelVocabSize the rows of the model's token embedding: the tokenizer may not have more tokens
   * @throws InvalidInputException when the pairs do not fill one batch or the tokenizer does not fit the model
   */
  protected CaptionTraining(M model, int modelVocabSize, ClipTokenizer tokenizer, ImageTextSource data, int batchSize) {
    if (data.size() < batchSize) {
      throw new InvalidInputException("training needs at least one batch: " + data.size() + " pairs < batch size "
          + batchSize);
    }
    if (tokenizer.vocabSize() > modelVocabSize) {
      throw new InvalidInputException("tokenizer has " + tokenizer.vocabSize() + " tokens, the model embeds "
          + modelVocabSize);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.data = data;
  }

  public final M model() {
    return model;
  }

  public final ClipTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public final Map<String, NDArray> parameters() {
    return view;
  }
}

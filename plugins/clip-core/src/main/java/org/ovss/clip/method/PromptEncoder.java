package org.ovss.clip.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.ovss.api.ClassPrompt;
import org.ovss.api.MethodConfig;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * The prompt side of {@link SegmentationMethod#encodeText} for methods with a CLIP-tokenised text tower: every
 * query of every class (a class's synonyms) with every template of the prompt set, tokenised and run through the
 * method's text forward in chunks of {@code text-batch} prompts, then averaged over the templates as the
 * method's {@link Averaging} says.
 *
 * <p>Each prompt is encoded on its own (no op mixes the rows of a chunk), so the chunk size changes memory and, through
 * the matrix kernels' blocking, at most the last bit of an embedding (9e-8 seen on the tiny fixtures between chunks of
 * 1 to 7 prompts and one of 28; 32 and 256 gave identical bytes for 4,320 prompts).
 */
public final class PromptEncoder {

  /** Name of the method option that sets the chunk size. */
  public static final String TEXT_BATCH = "text-batch";

  /**
   * Default prompts per text-encoder forward: a ViT-B text block's activations at 256 prompts take over 2 GB
   * (measured with ClipDenseMethod, whose default this was first).
   */
  public static final int DEFAULT_TEXT_BATCH = 32;

  /** How the prompt embeddings of a query become its embedding. */
  public enum Averaging {
    /**
     * Each prompt embedding L2-normalised, the mean over the templates normalised again: the harness default
     * ({@link SegmentationMethod#encodeText}; SCLIP's clip_segmentor.py, CLIP's prompt-ensembling notebook).
     */
    NORMALIZED_PROMPTS,
    /**
     * The prompt embeddings averaged as they are, the mean divided by its L2 norm once: SegCLIP's evaluation
     * ({@code seg_segmentation/evaluation/builder.py}).
     */
    MEAN_THEN_NORMALIZE,
    /**
     * As {@link #MEAN_THEN_NORMALIZE} but with PyTorch's {@code F.normalize} (the norm clamped at 1e-12): GroupViT's
     * {@code build_text_embedding}.
     */
    MEAN_THEN_F_NORMALIZE
  }

  /** {@code F.normalize}'s default eps. */
  private static final float F_NORMALIZE_EPS = 1e-12f;

  private final ClipTokenizer tokenizer;
  private final int contextLength;
  private final int textBatch;
  private final Averaging averaging;

  /**
   * An encoder for one model.
   *
   * @param tokenizer the model's tokenizer
   * @param contextLength tokens per prompt, start and end included (the model's context length)
   * @param textBatch prompts per forward, positive
   * @param averaging how prompt embeddings become query embeddings
   */
  public PromptEncoder(ClipTokenizer tokenizer, int contextLength, int textBatch, Averaging averaging) {
    if (textBatch <= 0) {
      throw new IllegalArgumentException("text batch must be positive, got " + textBatch);
    }
    this.tokenizer = tokenizer;
    this.contextLength = contextLength;
    this.textBatch = textBatch;
    this.averaging = averaging;
  }

  /** The {@value #TEXT_BATCH} option of {@code config}, {@link #DEFAULT_TEXT_BATCH} when it is not set. */
  public static int textBatch(MethodConfig config) {
    return config.positiveInt(TEXT_BATCH).orElse(DEFAULT_TEXT_BATCH);
  }

  /**
   * Encodes the vocabulary.
   *
   * @param manager the method's manager, to which the embeddings are attached; the token ids and intermediate
   *     arrays live in a sub-manager of it, closed before returning
   * @param forward the text forward of one chunk: int32 token ids [n, context] -> prompt embeddings [n, E]
   * @return the query embeddings [Q, E], queries in vocabulary order, attached to {@code manager}
   */
  public QueryEmbeddings encode(List<ClassPrompt> classes, PromptSet prompts, NDManager manager,
      UnaryOperator<NDArray> forward) {
    List<String> texts = new ArrayList<>();
    int[] queryClass = new int[classes.stream().mapToInt(c -> c.queries().size()).sum()];
    int q = 0;
    for (int c = 0; c < classes.size(); c++) {
      for (String query : classes.get(c).queries()) {
        queryClass[q++] = c;
        for (String template : prompts.templates()) {
          texts.add(prompts.apply(template, query));
        }
      }
    }
    int templates = prompts.templates().size();
    try (NDManager scope = manager.newSubManager()) {
      List<NDArray> chunks = new ArrayList<>();
      for (int start = 0; start < texts.size(); start += textBatch) {
        List<String> chunk = texts.subList(start, Math.min(texts.size(), start + textBatch));
        int[] flat = new int[chunk.size() * contextLength];
        for (int i = 0; i < chunk.size(); i++) {
          System.arraycopy(tokenizer.tokenize(chunk.get(i), contextLength), 0, flat, i * contextLength, contextLength);
        }
        NDArray embedded = forward.apply(scope.create(flat, new Shape(chunk.size(), contextLength))); // [n, E]
        chunks.add(averaging == Averaging.NORMALIZED_PROMPTS ? Norms.l2Normalize(embedded) : embedded);
      }
      NDArray all = chunks.size() == 1 ? chunks.get(0) : NDArrays.concat(new NDList(chunks), 0); // [Q*T, E]
      NDArray mean = all.reshape(queryClass.length, templates, all.getShape().get(1)).mean(new int[] {1}); // [Q, E]
      NDArray result = averaging == Averaging.MEAN_THEN_F_NORMALIZE
          ? mean.div(Scalars.maximum(mean.norm(new int[] {-1}, true), F_NORMALIZE_EPS))
          : Norms.l2Normalize(mean);
      result.attach(manager);
      return new QueryEmbeddings(result, queryClass, classes.size());
    }
  }
}

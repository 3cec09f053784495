package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CLIP's causal text transformer: token + positional embeddings, blocks with a causal mask, ln_final,
 * the end-of-text token's feature (position of the largest token id, as OpenAI's code) times
 * text_projection.
 */
public final class TextTransformer extends AbstractBlock implements StateDictBlock {
  private final ClipConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionalEmbedding;
  private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
  private final ClipLayerNorm lnFinal;
  private final Parameter textProjection;

  TextTransformer(ClipConfig c) {
    this.config = c;
    int w = c.textWidth();
    tokenEmbedding = addParameter(Blocks.weight("token_embedding"));
    positionalEmbedding = addParameter(Blocks.weight("positional_embedding"));
    for (int i = 0; i < c.textLayers(); i++) {
      blocks.add(addChildBlock("block" + i, new ResidualAttentionBlock(w, c.textHeads())));
    }
    lnFinal = addChildBlock("ln_final", new ClipLayerNorm(w));
    textProjection = addParameter(Blocks.weight("text_projection"));
  }

  /**
   * @param ids token ids [B, L] (int32 or int64), L at most the context length
   * @return text embeddings [B, E], not normalised
   */
  public NDArray forward(ParameterStore ps, NDArray ids, boolean training) {
    long b = ids.getShape().get(0);
    NDArray x = hidden(ps, ids, causalMask(ids.getManager(), (int) ids.getShape().get(1)), training);
    long[] eot = eotPositions(ids);
    NDList rows = new NDList();
    for (int i = 0; i < b; i++) {
      rows.add(x.get(i).get(eot[i])); // [W]
    }
    return NDArrays.stack(rows).matMul(ps.getValue(textProjection, ids.getDevice(), training)); // [B, E]
  }

  /**
   * Every position's feature after ln_final and text_projection, [B, L, E], for methods that pool over the tokens
   * (SimSeg's LoDA, CLIPpy's mean). {@code bidirectional} false: CLIP's causal mask, so that the end-of-text row
   * is {@link #forward}'s embedding. True: the same blocks attending both ways over the tokens from the start to
   * the end-of-text token (the padding after it masked out as keys), as the BERT and T5 text encoders of those
   * methods do.
   */
  public NDArray forwardTokens(ParameterStore ps, NDArray ids, boolean bidirectional, boolean training) {
    int len = (int) ids.getShape().get(1);
    NDArray mask = bidirectional ? paddingMask(ids.getManager(), eotPositions(ids), len) : causalMask(ids.getManager(), len);
    return hidden(ps, ids, mask, training).matMul(ps.getValue(textProjection, ids.getDevice(), training)); // [B, L, E]
  }

  /** Embeddings, the blocks under {@code mask} and ln_final: [B, L, W]. */
  private NDArray hidden(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
    int len = (int) ids.getShape().get(1);
    if (len > config.contextLength()) {
      throw new IllegalArgumentException("token sequence of " + len + " exceeds context length " + config.contextLength());
    }
    NDArray tokenWeights = ps.getValue(tokenEmbedding, ids.getDevice(), training);
    NDArray x = Embedding.embedding(ids.toType(DataType.INT64, false), tokenWeights, SparseFormat.DENSE).singletonOrThrow(); // [B, L, W]
    x = x.add(ps.getValue(positionalEmbedding, ids.getDevice(), training).get(x.getManager(), new NDIndex("0:" + len)));
    for (ResidualAttentionBlock block : blocks) {
      NDArray in = x;
      x = Blocks.step(in, training, y -> block.forward(ps, y, mask, AttentionMode.VANILLA, training));
      if (!training) {
        in.close(); // made inside this forward, read by nothing else
      }
    }
    return lnFinal.forward(ps, x, training);
  }

  /**
   * End-of-text position per row: the first position of the row's largest id (OpenAI's argmax), since the end
   * token has the largest id in CLIP's vocabularies.
   */
  public static long[] eotPositions(NDArray ids) {
    long[] flat = ids.toType(DataType.INT64, false).toLongArray();
    long len = ids.getShape().get(1);
    long[] pos = new long[(int) ids.getShape().get(0)];
    for (int r = 0; r < pos.length; r++) {
      long best = Long.MIN_VALUE;
      for (int j = 0; j < len; j++) {
        long v = flat[(int) (r * len + j)];
        if (v > best) { // first maximum, like torch.argmax
          best = v;
          pos[r] = j;
        }
      }
    }
    return pos;
  }

  /** Additive key mask [B, 1, 1, L]: 0 up to each row's end-of-text token, -inf on the padding after it. */
  private static NDArray paddingMask(NDManager manager, long[] eot, int len) {
    float[] m = new float[eot.length * len];
    for (int r = 0; r < eot.length; r++) {
      for (long j = eot[r] + 1; j < len; j++) {
        m[(int) (r * len + j)] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(m, new Shape(eot.length, 1, 1, len));
  }

  private static NDArray causalMask(NDManager manager, int len) {
    float[] m = new float[len * len];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        m[i * len + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(m, new Shape(len, len));
  }

  public ClipConfig config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.singletonOrThrow(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), config.embedDim())};
  }

  @Override
  public void stateDict(String prefix, Map<String, NamedParameter> out) {
    out.put(prefix + "token_embedding.weight", new NamedParameter(tokenEmbedding, new Shape(config.vocabSize(), config.textWidth())));
    out.put(prefix + "positional_embedding", new NamedParameter(positionalEmbedding, new Shape(config.contextLength(), config.textWidth())));
    for (int i = 0; i < blocks.size(); i++) {
      blocks.get(i).stateDict(prefix + "transformer.resblocks." + i + ".", out);
    }
    lnFinal.stateDict(prefix + "ln_final.", out);
    out.put(prefix + "text_projection", new NamedParameter(textProjection, new Shape(config.textWidth(), config.embedDim())));
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CLIP's ViT image encoder. {@link #forwardTokens} returns ln_post + proj applied to every token
 * (CLS first), which is what the dense methods consume; the CLS row is the image embedding.
 */
public final class VisionTransformer extends AbstractBlock implements StateDictBlock {
  private final ClipConfig config;
  private final Parameter conv1;
  private final Parameter classEmbedding;
  private final Parameter positionalEmbedding;
  private final ClipLayerNorm lnPre;
  private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
  private final ClipLayerNorm lnPost;
  private final Parameter proj;

  VisionTransformer(ClipConfig c) {
    this.config = c;
    int w = c.visionWidth();
    conv1 = addParameter(Blocks.weight("conv1"));
    classEmbedding = addParameter(Blocks.weight("class_embedding"));
    positionalEmbedding = addParameter(Blocks.weight("positional_embedding"));
    lnPre = addChildBlock("ln_pre", new ClipLayerNorm(w));
    for (int i = 0; i < c.visionLayers(); i++) {
      blocks.add(addChildBlock("block" + i, new ResidualAttentionBlock(w, c.visionHeads())));
    }
    lnPost = addChildBlock("ln_post", new ClipLayerNorm(w));
    proj = addParameter(Blocks.weight("proj"));
  }

  /**
   * {@code images} [B, 3, H, W] cut down to multiples of the patch size {@code p}: the stride-p patch convolution
   * ignores the remainder rows and columns, as CLIP's conv1 does.
   *
   * @throws IllegalArgumentException if the images are not [B, 3, H, W] with H, W at least one patch
   */
  public static NDArray cropToPatches(NDArray images, int p) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) < p || s.get(3) < p) {
      throw new IllegalArgumentException("images must be [B, 3, H, W] with H, W at least the patch size " + p + ", got " + s);
    }
    long h = s.get(2) / p * p;
    long w = s.get(3) / p * p;
    return h == s.get(2) && w == s.get(3) ? images : images.get(":, :, 0:" + h + ", 0:" + w);
  }

  /**
   * @param images normalised images [B, 3, H, W], H and W multiples of the patch size
   * @param lastBlock attention of the last block (earlier blocks are always plain CLIP)
   * @return [B, 1 + (H/p)(W/p), E]: ln_post + proj of every token, CLS first
   */
  public NDArray forwardTokens(ParameterStore ps, NDArray images, AttentionMode lastBlock, boolean training) {
    int p = config.patchSize();
    images = cropToPatches(images, p);
    long b = images.getShape().get(0);
    int gh = (int) (images.getShape().get(2) / p);
    int gw = (int) (images.getShape().get(3) / p);
    int width = config.visionWidth();
    NDArray x =
        Conv2d.conv2d(images, ps.getValue(conv1, images.getDevice(), training), null, new Shape(p, p))
            .singletonOrThrow(); // [B, W, gh, gw]
    x = x.reshape(b, width, (long) gh * gw).transpose(0, 2, 1); // [B, gh*gw, W]
    // Every op starts from an array of the caller's manager so that intermediates are freed with it.
    NDArray cls = x.getManager().zeros(new Shape(b, 1, width)).add(ps.getValue(classEmbedding, images.getDevice(), training));
    x = cls.concat(x, 1); // [B, 1 + gh*gw, W]
    x = x.add(positions(ps, x.getManager(), gh, gw, training));
    x = lnPre.forward(ps, x, training);
    for (int i = 0; i < blocks.size(); i++) {
      AttentionMode mode = i == blocks.size() - 1 ? lastBlock : AttentionMode.VANILLA;
      ResidualAttentionBlock block = blocks.get(i);
      NDArray in = x;
      x = Blocks.step(in, training, y -> block.forward(ps, y, null, mode, training));
      if (!training) {
        in.close(); // made inside this forward, read by nothing else
      }
    }
    x = lnPost.forward(ps, x, training);
    return x.matMul(ps.getValue(proj, images.getDevice(), training)); // [B, 1 + gh*gw, E]
  }

  /**
   * The positional embeddings a forward adds for a gh x gw patch grid, [1 + gh*gw, W] row-major (exporters
   * write them as constants).
   */
  public float[] positionalEmbedding(int gh, int gw) {
    try (NDManager m = positionalEmbedding.getArray().getManager().newSubManager()) {
      return positions(new ParameterStore(m, false), m, gh, gw, false).toFloatArray();
    }
  }

  /** Positional embeddings [1 + gh*gw, W], interpolated bicubically when the grid is not the native one. */
  private NDArray positions(ParameterStore ps, NDManager m, int gh, int gw, boolean training) {
    NDArray pos = ps.getValue(positionalEmbedding, positionalEmbedding.getArray().getDevice(), training);
    return PositionalInterpolation.withClassToken(m, pos, config.gridSize(), config.visionWidth(), gh, gw,
        PositionalInterpolation.Scale.SCLIP);
  }

  public ClipConfig config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forwardTokens(ps, inputs.singletonOrThrow(), AttentionMode.VANILLA, training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    long tokens = 1 + (s.get(2) / config.patchSize()) * (s.get(3) / config.patchSize());
    return new Shape[] {new Shape(s.get(0), tokens, config.embedDim())};
  }

  @Override
  public void stateDict(String prefix, Map<String, NamedParameter> out) {
    int w = config.visionWidth();
    out.put(prefix + "conv1.weight", new NamedParameter(conv1, new Shape(w, 3, config.patchSize(), config.patchSize())));
    out.put(prefix + "class_embedding", new NamedParameter(classEmbedding, new Shape(w)));
    out.put(prefix + "positional_embedding", new NamedParameter(positionalEmbedding, new Shape((long) config.gridSize() * config.gridSize() + 1, w)));
    lnPre.stateDict(prefix + "ln_pre.", out);
    for (int i = 0; i < blocks.size(); i++) {
      blocks.get(i).stateDict(prefix + "transformer.resblocks." + i + ".", out);
    }
    lnPost.stateDict(prefix + "ln_post.", out);
    out.put(prefix + "proj", new NamedParameter(proj, new Shape(w, config.embedDim())));
  }
}

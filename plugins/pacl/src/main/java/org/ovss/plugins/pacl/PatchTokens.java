package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.PositionalInterpolation;
import org.ovss.clip.model.ResidualAttentionBlock;
import org.ovss.nn.Layers;

/**
 * The frozen CLIP image tower's dense patch tokens f̂_v(x) with a patch-embedding stride of choice: PACL's
 * "stride trick" (PACL paper Section 6.1), which clip-core's {@code
 * VisionTransformer.forwardTokens} cannot do (its conv1 stride is the patch size, and it always applies
 * proj). The forward is CLIP's own, computed from the CLIP's parameters: conv1, class embedding,
 * positional embedding, ln_pre, the residual blocks (clip-core's blocks, plain attention), then ln_post or
 * not; the CLS token is dropped and proj is never applied (ê_v maps the D_v-wide tokens itself).
 *
 * <p>Stride s below the patch size p: the image is padded with zeros (the dataset mean after
 * normalisation) by floor((p - s) / 2) pixels at the top and left and the rest of p - s at the bottom and
 * right, so that an H x W window gives exactly floor(H/s) x floor(W/s) tokens, token (i, j) being the
 * p x p patch centred on the s x s cell (i, j) (centre (i + 1/2) s, exact when p - s is even). That is the
 * grid the harness expects ({@code InputSpec.patchSize() = s}); the paper's unpadded grid would be (H -
 * p)/s + 1. The positional grid n x n is resampled bicubically (PyTorch {@code upsample_bicubic2d},
 * align_corners False) to the token grid by size, which puts the interpolated position of token i at
 * pixel (i + 1/2) s of a native-size window: where its patch is. With s = p and the native size this is
 * CLIP's forward exactly.
 */
final class PatchTokens {
  private final ClipModel model;
  private final ClipConfig config;
  private final ParameterStore store;
  private final List<Block> blocks = new ArrayList<>();

  /** Dense tokens [B, gh * gw, D_v] of a batch, row-major over the gh x gw grid. */
  record Grid(NDArray tokens, int height, int width) {}

  /**
   * @param manager manager of the parameter store (nothing is allocated in it by a forward)
   */
  PatchTokens(ClipModel model, NDManager manager) {
    this.model = model;
    this.config = model.config();
    this.store = new ParameterStore(manager, false);
    for (Block b : model.visual().getChildren().values()) {
      if (b instanceof ResidualAttentionBlock) {
        blocks.add(b);
      }
    }
    if (blocks.size() != config.visionLayers()) {
      throw new IllegalStateException("found " + blocks.size() + " image blocks, the CLIP config says " + config.visionLayers());
    }
  }

  private NDArray param(String name) {
    return model.stateDict().get(name).parameter().getArray();
  }

  /**
   * The patch embedding: conv1 at stride {@code stride} over the zero-padded images, [B, D_v, gh, gw].
   *
   * @param images normalised float32 images [B, 3, H, W], H and W at least {@code stride}
   */
  NDArray patchEmbed(NDArray images, int stride) {
    int p = config.patchSize();
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new InvalidInputException("images must be [B, 3, H, W], got " + s);
    }
    if (images.getDataType() != DataType.FLOAT32) {
      throw new InvalidInputException("images must be float32, got " + images.getDataType());
    }
    if (stride < 1 || stride > p) {
      throw new InvalidInputException("patch stride must be in [1, " + p + "] (the CLIP's patch size), got " + stride);
    }
    if (s.get(2) < stride || s.get(3) < stride) {
      throw new InvalidInputException("images of " + s.get(2) + "x" + s.get(3) + " are smaller than the patch stride " + stride);
    }
    NDArray x = images;
    int before = (p - stride) / 2;
    int after = p - stride - before;
    if (before + after > 0) {
      x = pad(x, 2, before, after);
      x = pad(x, 3, before, after);
    }
    return Conv2d.conv2d(x, param("visual.conv1.weight"), null, new Shape(stride, stride)).singletonOrThrow();
  }

  /** Zeros before and after along {@code axis}. */
  private static NDArray pad(NDArray x, int axis, int before, int after) {
    NDManager m = x.getManager();
    long[] shape = x.getShape().getShape().clone(); // getShape() hands out the Shape's own array
    NDList parts = new NDList();
    if (before > 0) {
      shape[axis] = before;
      parts.add(m.zeros(new Shape(shape)));
    }
    parts.add(x);
    if (after > 0) {
      shape[axis] = after;
      parts.add(m.zeros(new Shape(shape)));
    }
    return NDArrays.concat(parts, axis);
  }

  /**
   * The patch tokens of {@code images} at patch stride {@code stride}, CLS dropped.
   *
   * @param lnPost apply ln_post ({@link PaclConfig.Tokens#LN_POST}) or not
   */
  Grid forward(NDArray images, int stride, boolean lnPost) {
    NDArray x = patchEmbed(images, stride); // [B, W, gh, gw]
    long b = x.getShape().get(0);
    long width = x.getShape().get(1);
    int gh = (int) x.getShape().get(2);
    int gw = (int) x.getShape().get(3);
    NDManager m = x.getManager();
    x = x.reshape(b, width, (long) gh * gw).transpose(0, 2, 1); // [B, gh*gw, W]
    NDArray cls = m.zeros(new Shape(b, 1, width)).add(param("visual.class_embedding"));
    x = cls.concat(x, 1); // [B, 1 + gh*gw, W]
    x = x.add(positions(m, gh, gw));
    x = Layers.layerNorm(x, param("visual.ln_pre.weight"), param("visual.ln_pre.bias"), Layers.LN_EPS);
    for (Block block : blocks) {
      x = block.forward(store, new NDList(x), false).singletonOrThrow();
    }
    if (lnPost) {
      x = Layers.layerNorm(x, param("visual.ln_post.weight"), param("visual.ln_post.bias"), Layers.LN_EPS);
    }
    return new Grid(x.get(":, 1:, :"), gh, gw); // [B, gh*gw, W]
  }

  /** Positional embeddings [1 + gh*gw, W]: CLIP's own on the native grid, else resampled bicubically by size. */
  private NDArray positions(NDManager m, int gh, int gw) {
    return PositionalInterpolation.withClassToken(m, param("visual.positional_embedding"), config.gridSize(),
        config.visionWidth(), gh, gw, PositionalInterpolation.Scale.SIZE_RATIO);
  }
}

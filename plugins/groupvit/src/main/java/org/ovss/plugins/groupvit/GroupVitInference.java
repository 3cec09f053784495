package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.ovss.nn.Bilinear;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;

/**
 * GroupViT's zero-shot segmentation as the official evaluation computes it (NVlabs/GroupViT {@code
 * segmentation/evaluation/group_vit_seg.py}, {@code GroupViTSegInference}), batched over windows:
 *
 * <ol>
 *   <li>{@code get_attn_maps}: the soft assignments of the grouping stages multiplied through the stages
 *       (pixel-patch to final group), each product resized bilinearly (align_corners False) from the patch
 *       grid to the window;
 *   <li>{@code encode_decode}: group tokens and the pooled image embedding projected and L2-normalised,
 *       logit scale min(exp(logit_scale), 100); group affinity softmax(groups . text x scale); an image-level
 *       mask keeping the top-5 classes of softmax(image . text x scale); softmax of the masked affinity,
 *       multiplied by the unmasked softmax; each pixel takes the affinity row of its group (the argmax of the
 *       last attention map); with background, pixels whose best score is below min(bg_thresh,
 *       max affinity) get background score 1.
 * </ol>
 *
 * <p>The official code runs one image at a time; every step here is per window, so a batch gives each
 * window the result it would get alone.
 */
public final class GroupVitInference {
  /** Classes kept by the image-level mask of {@code encode_decode}. */
  public static final int TOP_CLASSES = 5;

  private GroupVitInference() {}

  /**
   * What one forward pass over a batch of windows yields for segmentation.
   *
   * @param attentionMaps group maps per grouping stage, [B, G, H, W]
   * @param groupOfPixel final group of each pixel (argmax of the last map), [B, H, W] int64
   * @param groupFeatures projected group tokens ({@code image_feat}), [B, L, D], not normalised
   * @param imageFeatures projected pooled embedding ({@code image_x}), [B, D], not normalised
   */
  public record Decoded(List<NDArray> attentionMaps, NDArray groupOfPixel, NDArray groupFeatures,
      NDArray imageFeatures) {}

  /** Runs the image encoder on windows [B, 3, H, W] in evaluation mode and derives the attention maps. */
  public static Decoded decode(GroupVitModel model, NDArray windows) {
    GroupVitModel.ImageEncoding enc = model.encodeImage(windows, GroupVitModel.Pass.EVAL);
    int height = (int) windows.getShape().get(2);
    int width = (int) windows.getShape().get(3);
    List<NDArray> maps = attentionMaps(enc, height, width);
    NDArray last = maps.get(maps.size() - 1);
    return new Decoded(maps, last.argMax(1), model.projectImage(enc.tokens(), GroupVitModel.Pass.EVAL),
        model.projectImage(enc.pooled(), GroupVitModel.Pass.EVAL));
  }

  /**
   * {@code get_attn_maps}: per grouping stage, the soft assignments multiplied through the stages and resized
   * bilinearly (align_corners False) to height x width, [B, G, H, W]. The official maps are [B, H, W, G].
   */
  public static List<NDArray> attentionMaps(GroupVitModel.ImageEncoding enc, int height, int width) {
    if (enc.softAssignments().isEmpty()) {
      throw new IllegalArgumentException("a GroupViT with one stage has no grouping stage to segment with");
    }
    int gh = enc.gridHeight();
    int gw = enc.gridWidth();
    Bilinear.Matrices resize = Bilinear.Matrices.torch(enc.tokens().getManager(), gh, gw, height, width);
    List<NDArray> maps = new ArrayList<>();
    NDArray product = null; // [B, N, G]: patch to group of the current stage
    for (NDArray soft : enc.softAssignments()) {
      NDArray step = soft.transpose(0, 2, 1); // [B, N_i, G_i]
      product = product == null ? step : product.matMul(step);
      Shape s = product.getShape();
      NDArray grid = product.transpose(0, 2, 1).reshape(s.get(0), s.get(2), gh, gw); // [B, G, gh, gw]
      maps.add(resize.apply(grid)); // [B, G, H, W]
    }
    return maps;
  }

  /**
   * Seg logits without background, [B, Q, H, W]: {@code encode_decode}'s {@code pred_logits} of a dataset
   * without a background class.
   *
   * @param text L2-normalised text embeddings [Q, D] (the official {@code text_embedding})
   */
  public static NDArray segLogits(GroupVitModel model, Decoded decoded, NDArray text) {
    return pixelScores(decoded, groupAffinity(model, decoded, text));
  }

  /**
   * Seg logits with background first, [B, 1 + Q, H, W], exactly as {@code encode_decode} with {@code with_bg}:
   * channel 0 is 1 where the best class score is below min({@code bgThreshold}, the window's largest group
   * affinity), else 0.
   */
  public static NDArray segLogitsWithBackground(GroupVitModel model, Decoded decoded, NDArray text, float bgThreshold) {
    NDArray affinity = groupAffinity(model, decoded, text); // [B, L, Q]
    NDArray scores = pixelScores(decoded, affinity); // [B, Q, H, W]
    long b = scores.getShape().get(0);
    float[] maxAffinity = affinity.reshape(b, -1).max(new int[] {1}).toFloatArray();
    float[] threshold = new float[(int) b];
    for (int i = 0; i < b; i++) {
      threshold[i] = Math.min(bgThreshold, maxAffinity[i]);
    }
    NDArray t = scores.getManager().create(threshold, new Shape(b, 1, 1, 1));
    NDArray background = scores.max(new int[] {1}, true).lt(t).toType(DataType.FLOAT32, false); // [B, 1, H, W]
    return background.concat(scores, 1);
  }

  /** Group-to-class affinity [B, L, Q] after the top-class mask, as {@code encode_decode}'s group_affinity_mat. */
  static NDArray groupAffinity(GroupVitModel model, Decoded decoded, NDArray text) {
    float scale = model.logitScale();
    NDArray groups = Norms.l2Normalize(decoded.groupFeatures(), Norms.TORCH_NORMALIZE_EPS); // [B, L, D]
    NDArray image = Norms.l2Normalize(decoded.imageFeatures(), Norms.TORCH_NORMALIZE_EPS); // [B, D]
    // a copy in the windows' manager: an op on `text` itself would leave its result in the caller's text manager
    NDArray textT = groups.getManager().zeros(text.getShape()).add(text).transpose(); // [D, Q]
    NDArray affinity = Scalars.mul(groups.matMul(textT), scale); // [B, L, Q]
    NDArray pre = affinity.softmax(-1);
    float[] avg = Scalars.mul(image.matMul(textT), scale).softmax(-1).toFloatArray(); // [B, Q]
    long b = affinity.getShape().get(0);
    int q = (int) affinity.getShape().get(2);
    float[] mask = new float[(int) b * q];
    int k = Math.min(TOP_CLASSES, q);
    for (int i = 0; i < b; i++) {
      boolean[] keep = topK(avg, i * q, q, k);
      for (int c = 0; c < q; c++) {
        mask[i * q + c] = keep[c] ? 0f : Float.NEGATIVE_INFINITY;
      }
    }
    NDArray masked = affinity.add(affinity.getManager().create(mask, new Shape(b, 1, q)));
    return masked.softmax(-1).mul(pre);
  }

  /** Each pixel's row of the affinity of its group (one-hot group map @ affinity): [B, Q, H, W]. */
  private static NDArray pixelScores(Decoded decoded, NDArray affinity) {
    return gatherByGroup(decoded.groupOfPixel(), affinity);
  }

  /** rows [B, L, X] gathered by the group of each pixel [B, H, W]: [B, X, H, W]. */
  static NDArray gatherByGroup(NDArray groupOfPixel, NDArray rows) {
    Shape g = groupOfPixel.getShape();
    long b = g.get(0);
    long h = g.get(1);
    long w = g.get(2);
    long l = rows.getShape().get(1);
    long x = rows.getShape().get(2);
    NDManager m = rows.getManager();
    // flat row index b * L + group: a gather is the one-hot product without its multiplications by zero
    NDArray offsets = m.arange(0, (int) (b * l), (int) l, DataType.INT64).reshape(b, 1, 1);
    NDArray index = groupOfPixel.toType(DataType.INT64, false).add(offsets).reshape(b * h * w);
    return rows.reshape(b * l, x).get(index).reshape(b, h, w, x).transpose(0, 3, 1, 2);
  }

  /** The k largest of values[from .. from + n), ties to the lower index. */
  private static boolean[] topK(float[] values, int from, int n, int k) {
    boolean[] keep = new boolean[n];
    for (int r = 0; r < k; r++) {
      int best = -1;
      for (int c = 0; c < n; c++) {
        if (!keep[c] && (best < 0 || values[from + c] > values[from + best])) {
          best = c;
        }
      }
      keep[best] = true;
    }
    return keep;
  }
}

package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ovss.nn.Bilinear;
import org.ovss.nn.Norms;

/**
 * The official segmentation inference of one window batch (ArrowLuo/SegCLIP {@code
 * seg_segmentation/evaluation/vit_seg.py}, adapted from GroupViT): {@code get_attn_maps} (the soft
 * assignment resized bilinearly to the window, align_corners False, then one-hot by argmax over the
 * centres) and {@code encode_decode} (region-text affinity softmax, times the softmax restricted to the
 * image's top-5 classes, each pixel taking its group's row; background where the best score is below
 * min(threshold, the largest affinity)).
 */
public final class SegclipInference {
  /** Classes kept by the image-level mask ({@code topk(k=min(5, num_fg_classes))}). */
  public static final int TOP_K = 5;

  private SegclipInference() {}

  /**
   * The soft assignment resized to the window as {@code get_attn_maps(rescale=True)} does it: [B, L, H, W].
   *
   * @param soft [B, L, gh * gw]
   */
  public static NDArray attentionMaps(NDArray soft, int gh, int gw, int height, int width) {
    long b = soft.getShape().get(0);
    long l = soft.getShape().get(1);
    NDManager m = soft.getManager();
    NDArray grid = soft.reshape(b, l, gh, gw);
    return Bilinear.Matrices.torch(m, gh, gw, height, width).apply(grid); // [B, L, H, W]
  }

  /**
   * The group-class scores P = softmax(top-K masked a) * softmax(a), a = s cos(region, text): [B, L, Q].
   *
   * @param tokens image-tower tokens [B, 1 + L, E] (pooled image embedding first)
   * @param text L2-normalised text embeddings [Q, E]
   * @param logitScale min(exp(logit_scale), 100), 0-d
   */
  public static NDArray groupAffinity(NDArray tokens, NDArray text, NDArray logitScale) {
    long b = tokens.getShape().get(0);
    int q = (int) text.getShape().get(0);
    NDArray textT = text.transpose(); // [E, Q]
    NDArray groups = Norms.l2Normalize(tokens.get(":, 1:, :")); // [B, L, E]
    NDArray image = Norms.l2Normalize(tokens.get(":, 0:1, :")); // [B, 1, E]
    NDArray affinity = groups.matMul(textT).mul(logitScale); // [B, L, Q]
    NDArray pre = affinity.softmax(-1);
    NDArray average = image.matMul(textT).mul(logitScale).softmax(-1); // [B, 1, Q]
    int k = Math.min(TOP_K, q);
    long[] top = average.topK(k, -1, true, true).get(1).toType(DataType.INT64, false).toLongArray(); // [B, 1, k]
    float[] mask = new float[(int) b * q];
    java.util.Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < k; j++) {
        mask[i * q + (int) top[i * k + j]] = 0f;
      }
    }
    NDArray masked = affinity.add(tokens.getManager().create(mask, new Shape(b, 1, q))).softmax(-1);
    return masked.mul(pre); // [B, L, Q]
  }

  /**
   * One-hot of the argmax over the groups: [B, P, L] for maps [B, L, ...] with P positions.
   */
  static NDArray oneHotGroups(NDArray maps) {
    long b = maps.getShape().get(0);
    int l = (int) maps.getShape().get(1);
    return maps.argMax(1).reshape(b, -1).oneHot(l); // [B, P, L]
  }

  /**
   * The foreground logits {@code onehot_attn_map @ group_affinity_mat}: [B, Q, ...] over the positions of
   * {@code maps} ([B, L, H, W] for the pixel map, [B, L, gh, gw] for the patch grid).
   */
  public static NDArray logits(NDArray maps, NDArray affinity) {
    Shape s = maps.getShape();
    long b = s.get(0);
    long q = affinity.getShape().get(2);
    NDArray scores = oneHotGroups(maps).matMul(affinity); // [B, P, Q]
    return scores.transpose(0, 2, 1).reshape(new Shape(b, q).addAll(s.slice(2))); // [B, Q, ...]
  }

  /**
   * The with-background logits of {@code encode_decode} for a dataset whose class 0 is background:
   * [B, 1 + Q, ...], channel 0 is 1 where a position's best foreground score is below min(threshold,
   * max affinity) of its window and 0 elsewhere; channels 1.. are {@code foreground}.
   *
   * @param foreground {@link #logits} [B, Q, ...]
   * @param affinity {@link #groupAffinity} [B, L, Q]
   */
  public static NDArray withBackground(NDArray foreground, NDArray affinity, double threshold) {
    long b = foreground.getShape().get(0);
    float[] best = affinity.reshape(b, -1).max(new int[] {1}).toFloatArray();
    float[] thr = new float[(int) b];
    for (int i = 0; i < b; i++) {
      thr[i] = (float) Math.min(threshold, best[i]);
    }
    Shape s = foreground.getShape();
    Shape bg = new Shape(b, 1).addAll(s.slice(2));
    Shape perWindow = new Shape(b, 1);
    for (int d = 2; d < s.dimension(); d++) {
      perWindow = perWindow.add(1);
    }
    NDArray top = foreground.max(new int[] {1}, true); // [B, 1, ...]
    NDArray background = top.lt(foreground.getManager().create(thr, perWindow)).toType(DataType.FLOAT32, false);
    return background.reshape(bg).concat(foreground, 1); // [B, 1 + Q, ...]
  }
}

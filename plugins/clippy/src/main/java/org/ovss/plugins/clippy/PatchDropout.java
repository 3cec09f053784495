package org.ovss.plugins.clippy;

import java.util.Arrays;
import java.util.Random;

/**
 * Visual token sub-sampling (CLIPpy paper Section 3.4, Appendix D): during training each image
 * keeps a uniformly random subset of its patch tokens, drawn independently per image, as open_clip's
 * {@code PatchDropout} ({@code max(1, int(N (1 - p)))} tokens kept, the CLS token always). The unofficial
 * CLIPpy config sets p = 0.5; the paper drops 80% of the tokens of images at up to twice the resolution.
 */
public final class PatchDropout {
  private PatchDropout() {}

  /** Tokens kept of {@code patches} when a share {@code dropRatio} is dropped: max(1, int(N (1 - p))). */
  public static int keptCount(int patches, double dropRatio) {
    if (patches < 1) {
      throw new IllegalArgumentException("need at least one patch, got " + patches);
    }
    if (!(dropRatio >= 0 && dropRatio < 1)) {
      throw new IllegalArgumentException("patch drop ratio must be in [0, 1), got " + dropRatio);
    }
    return Math.max(1, (int) (patches * (1 - dropRatio)));
  }

  /**
   * For each of {@code batch} images, {@code kept} distinct patch indices out of {@code patches}, drawn
   * uniformly by a partial Fisher-Yates shuffle from {@code random}, in ascending order (the order is
   * irrelevant to the transformer once the positions are added; ascending keeps it readable).
   */
  public static int[][] sample(Random random, int batch, int patches, int kept) {
    if (kept < 1 || kept > patches) {
      throw new IllegalArgumentException("cannot keep " + kept + " of " + patches + " patches");
    }
    int[][] keep = new int[batch][];
    int[] pool = new int[patches];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < patches; i++) {
        pool[i] = i;
      }
      for (int i = 0; i < kept; i++) {
        int j = i + random.nextInt(patches - i);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      keep[b] = Arrays.copyOf(pool, kept);
      Arrays.sort(keep[b]);
    }
    return keep;
  }

  /** One-hot selection matrices [B, K, N] (row-major) that pick the kept tokens: out = S x tokens. */
  static float[] selection(int[][] keep, int patches) {
    int b = keep.length;
    int k = keep[0].length;
    float[] s = new float[b * k * patches];
    for (int i = 0; i < b; i++) {
      if (keep[i].length != k) {
        throw new IllegalArgumentException("every image must keep the same number of patches: image 0 keeps " + k
            + ", image " + i + " keeps " + keep[i].length);
      }
      for (int j = 0; j < k; j++) {
        int t = keep[i][j];
        if (t < 0 || t >= patches) {
          throw new IllegalArgumentException("patch index " + t + " of image " + i + " outside [0, " + patches + ")");
        }
        s[(i * k + j) * patches + t] = 1f;
      }
    }
    return s;
  }
}

package org.ovss.api;

/**
 * What a method expects of its input windows.
 *
 * @param resolution default square input size in pixels (CLIP ViT-B/16: 224)
 * @param patchSize stride of the dense output grid in pixels; a window of h x w pixels gives an
 *     (h / patchSize) x (w / patchSize) feature map
 * @param mean per-channel RGB mean on the [0, 1] scale
 * @param std per-channel RGB standard deviation on the [0, 1] scale
 */
public record InputSpec(int resolution, int patchSize, float[] mean, float[] std) {

  /** CLIP's normalisation (OpenAI {@code clip/clip.py} {@code _transform}). */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public InputSpec {
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 channels");
    }
    mean = mean.clone();
    std = std.clone();
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }
}

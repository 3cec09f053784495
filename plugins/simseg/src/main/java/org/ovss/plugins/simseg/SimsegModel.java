package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.Locale;
import org.ovss.api.InputSpec;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipModel;

/**
 * SimSeg's dual encoder on clip-core's CLIP architecture: the ViT's patch tokens after {@code ln_post} and
 * {@code proj} (CLS dropped, as the official {@code forward_image_feature}), the text tower's tokens after
 * {@code ln_final} and {@code text_projection} ({@link TextTokens}), LoDA pooling ({@link Loda}) and the
 * learnable contrastive temperature. CLIP's own {@code logit_scale} stays in the checkpoint unused.
 */
final class SimsegModel {
  /**
   * Initial temperature: official {@code loss.temperature.value: 0.02} with {@code name: parameter}
   * (muyangyi/SimSeg@50f3f59 configs/clip/simseg.vit-s.yaml).
   */
  static final float DEFAULT_TEMPERATURE = 0.02f;
  /** The official NCE loss clamps the temperature to [0.001, 0.5] in every forward pass (mml_loss.py). */
  static final float MIN_TEMPERATURE = 0.001f;
  static final float MAX_TEMPERATURE = 0.5f;
  /** Training pooling of the paper: M^I = M^T = 5 (SimSeg paper Section 5.3). */
  static final int DEFAULT_IMAGE_K = 5;
  static final int DEFAULT_TEXT_K = 5;

  /** Image normalisation the model is trained and evaluated with. */
  enum Normalization {
    /** CLIP's mean/std, what the harness's {@code synth} protocol feeds every method. */
    CLIP(InputSpec.CLIP_MEAN, InputSpec.CLIP_STD),
    /** ImageNet mean/std, the official SimSeg transforms ({@code transforms.normalize}). */
    IMAGENET(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    private final float[] mean;
    private final float[] std;

    Normalization(float[] mean, float[] std) {
      this.mean = mean;
      this.std = std;
    }

    float[] mean() {
      return mean.clone();
    }

    float[] std() {
      return std.clone();
    }

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Normalization of(String value, String what) {
      for (Normalization n : values()) {
        if (n.key().equals(value.strip().toLowerCase(Locale.ROOT))) {
          return n;
        }
      }
      throw new InvalidInputException(what + " must be clip or imagenet, got '" + value + "'");
    }
  }

  /**
   * What a checkpoint records beside its tensors.
   *
   * @param imageK LoDA k of the image tokens in training (M^I)
   * @param textK LoDA k of the text tokens in training (M^T)
   * @param normalization image mean/std of training
   */
  record Meta(int imageK, int textK, Normalization normalization) {
    static final Meta DEFAULT = new Meta(DEFAULT_IMAGE_K, DEFAULT_TEXT_K, Normalization.CLIP);

    Meta {
      if (imageK < 1 || textK < 1) {
        throw new InvalidInputException("LoDA k must be at least 1, got image " + imageK + ", text " + textK);
      }
    }
  }

  private final ClipModel clip;
  private final NDArray temperature;
  private final Meta meta;
  private final ParameterStore parameters;

  /**
   * @param temperature 0-d float32 array in {@code manager}, the model's own
   * @param manager manager of the model's parameters
   */
  SimsegModel(ClipModel clip, NDArray temperature, Meta meta, NDManager manager) {
    if (temperature.getShape().dimension() != 0 || temperature.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("temperature must be a float32 scalar, got " + temperature.getShape());
    }
    this.clip = clip;
    this.temperature = temperature;
    this.meta = meta;
    this.parameters = new ParameterStore(manager, false);
  }

  ClipModel clip() {
    return clip;
  }

  /** The learnable temperature (not clamped; clamping happens where it is used). */
  NDArray temperature() {
    return temperature;
  }

  Meta meta() {
    return meta;
  }

  /** Patch tokens [B, N, E]: ln_post + proj of every patch, CLS dropped. */
  NDArray patchTokens(NDArray images, boolean training) {
    return clip.visual().forwardTokens(parameters, images, AttentionMode.VANILLA, training).get(":, 1:, :");
  }

  /** Text tokens [B, L, E]: ln_final + text_projection of every position, bidirectional ({@link TextTokens}). */
  NDArray textTokens(NDArray ids, boolean training) {
    return TextTokens.forward(clip, ids, training);
  }

  /**
   * Writes a [3, res, res] RGB image in [0, 1] into {@code out} at {@code offset} normalised with {@code norm},
   * mirrored left-right when {@code flip}.
   */
  static void normalizeImage(float[] rgb, float[] out, int offset, int res, Normalization norm, boolean flip) {
    int plane = res * res;
    float[] mean = norm.mean;
    float[] std = norm.std;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < res; y++) {
        for (int x = 0; x < res; x++) {
          int src = y * res + (flip ? res - 1 - x : x);
          out[offset + c * plane + y * res + x] = (rgb[c * plane + src] - mean[c]) / std[c];
        }
      }
    }
  }
}

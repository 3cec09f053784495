package org.ovss.plugins.simseg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.clip.train.ClipContrastiveTraining;
import org.ovss.nn.SettingsReader;

/**
 * SimSeg's training settings ({@link org.ovss.api.TrainSpec#config()}), validated: unknown keys and invalid
 * values fail naming the key. The engine's keys pass through to the runner's engine.
 *
 * @param batchSize image-caption pairs per step (official global batch 1024)
 * @param imageK LoDA k over the patch tokens, M^I (paper 5)
 * @param textK LoDA k over the caption tokens, M^T (paper 5; the released eval yaml's {@code text_k: 1} is
 *     the inference value)
 * @param temperatureInit initial learnable temperature (official 0.02)
 * @param normalization image mean/std of training, recorded in the checkpoint (CLIP's by default, which the
 *     {@code synth} protocol uses; the official code uses ImageNet's)
 * @param architecture shape of the CLIP towers trained from scratch
 */
record SimsegTrainSettings(
    int batchSize,
    int imageK,
    int textK,
    float temperatureInit,
    SimsegModel.Normalization normalization,
    ClipContrastiveTraining.Architecture architecture) {

  /** The method's own keys with their descriptions (defaults in brackets). */
  static final Map<String, String> KEYS = keys();


  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("batch-size", "image-caption pairs per step, at least 2 [64; official 1024]");
    k.put("image-k", "LoDA k over the patch tokens in training, M^I [5, paper]");
    k.put("text-k", "LoDA k over the caption tokens in training, M^T [5, paper]");
    k.put("temperature-init", "initial learnable temperature, in [0.001, 0.5] [0.02, official]");
    k.put("normalization", "image mean/std of training and inference: clip or imagenet [clip]");
    k.put("arch.image-size", "training image side; the images must have it [96]");
    k.put("arch.patch", "ViT patch size [8]");
    k.put("arch.width", "ViT width [96]");
    k.put("arch.layers", "ViT blocks [3]");
    k.put("arch.heads", "ViT attention heads [4]");
    k.put("arch.embed", "joint embedding width (official projection dim 512) [64]");
    k.put("arch.text-width", "text transformer width [96]");
    k.put("arch.text-layers", "text transformer blocks [2]");
    k.put("arch.text-heads", "text transformer heads [4]");
    k.put("arch.context", "caption tokens incl. start and end [24]");
    return Collections.unmodifiableMap(k);
  }

  SimsegTrainSettings {
    if (batchSize < 2) {
      throw new InvalidInputException("training setting batch-size must be at least 2 (a contrastive batch), got " + batchSize);
    }
    if (!(temperatureInit >= SimsegModel.MIN_TEMPERATURE && temperatureInit <= SimsegModel.MAX_TEMPERATURE)) {
      throw new InvalidInputException("training setting temperature-init must be in [" + SimsegModel.MIN_TEMPERATURE + ", "
          + SimsegModel.MAX_TEMPERATURE + "], the official clamp, got " + temperatureInit);
    }
  }

  /**
   * Reads and validates the settings.
   *
   * @throws InvalidInputException naming the key if a key is unknown or a value is invalid
   */
  static SimsegTrainSettings of(Map<String, String> config) {
    TrainSpec.requireKnownKeys("simseg", config, KEYS.keySet());
    ClipContrastiveTraining.Architecture arch =
        ClipContrastiveTraining.Architecture.from(config, ClipContrastiveTraining.Architecture.SYNTH);
    checkArchitecture(arch);
    return new SimsegTrainSettings(
        ClipContrastiveTraining.intKey(config, "batch-size", 64),
        ClipContrastiveTraining.intKey(config, "image-k", SimsegModel.DEFAULT_IMAGE_K),
        ClipContrastiveTraining.intKey(config, "text-k", SimsegModel.DEFAULT_TEXT_K),
        SettingsReader.training(config).finiteFloat("temperature-init", SimsegModel.DEFAULT_TEMPERATURE),
        config.containsKey("normalization")
            ? SimsegModel.Normalization.of(config.get("normalization"), "training setting normalization")
            : SimsegModel.Normalization.CLIP,
        arch);
  }

  private static void checkArchitecture(ClipContrastiveTraining.Architecture a) {
    if (a.imageSize() % a.patch() != 0) {
      throw new InvalidInputException("training setting arch.image-size " + a.imageSize() + " is not a multiple of arch.patch "
          + a.patch());
    }
    if (a.width() % a.heads() != 0) {
      throw new InvalidInputException("training setting arch.width " + a.width() + " is not divisible by arch.heads " + a.heads());
    }
    if (a.textWidth() % a.textHeads() != 0) {
      throw new InvalidInputException("training setting arch.text-width " + a.textWidth() + " is not divisible by arch.text-heads "
          + a.textHeads());
    }
    if (a.contextLength() < 3) {
      throw new InvalidInputException("training setting arch.context must hold start, one word and end, got " + a.contextLength());
    }
  }
}

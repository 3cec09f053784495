package org.ovss.plugins.clippy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.train.ClipContrastiveTraining;
import org.ovss.nn.SettingsReader;

/**
 * CLIPpy's training settings ({@link org.ovss.api.TrainSpec#config()}), validated: unknown keys and
 * out-of-range values fail with a message naming the key. Defaults are small enough for the synthetic
 * benchmark on two CPU cores (the architecture of clip-core's {@code Architecture.SYNTH}); the paper's
 * values are in the descriptions (paper Section 4, Appendices C and D).
 *
 * @param arch model shape (keys {@code arch.*}); the vocabulary size comes from the tokenizer
 * @param batchSize image-caption pairs per step
 * @param patchDropout share of patch tokens dropped per training image, in [0, 1)
 * @param trainImageSize side of the square training images; the model's positional grid stays at
 *     {@code arch.image-size} and is interpolated to this size
 * @param model the pooling and text-attention choices saved with the checkpoint
 * @param flip mirror each training image left-right with probability 1/2
 */
public record ClippyTrainSettings(
    ClipContrastiveTraining.Architecture arch,
    int batchSize,
    double patchDropout,
    int trainImageSize,
    ClippyConfig model,
    boolean flip) {

  /** The method's keys with their descriptions (defaults in brackets). */
  public static final Map<String, String> KEYS = keys();


  /** Keys that shape a new model; refused when training continues from a checkpoint. */
  static final Set<String> ARCH_KEYS = Set.of(
      "arch.image-size", "arch.patch", "arch.width", "arch.layers", "arch.heads", "arch.embed", "arch.text-width",
      "arch.text-layers", "arch.text-heads", "arch.context");

  private static Map<String, String> keys() {
    ClipContrastiveTraining.Architecture a = ClipContrastiveTraining.Architecture.SYNTH;
    Map<String, String> k = new LinkedHashMap<>();
    k.put("batch-size", "image-caption pairs per step [64; paper: unstated, unofficial code 1024 per GPU x 8]");
    k.put("patch-dropout", "share of patch tokens dropped per training image, in [0, 1) [0.5, the unofficial config;"
        + " paper: 0.8 at up to 2x resolution]");
    k.put("train-image-size", "side of the training images; positions interpolated from arch.image-size [arch.image-size;"
        + " paper: up to 2x the evaluation size]");
    k.put("image-pool", "image aggregation: max (CLIPpy), mean or cls (Table 6 ablations) [max]");
    k.put("text-pool", "text aggregation: mean (CLIPpy), max (Table 8 ablation) or eot (plain CLIP) [mean]");
    k.put("text-attention", "text attention: bidirectional (T5-like, padding masked) or causal (CLIP) [bidirectional]");
    k.put("flip", "mirror training images left-right with probability 1/2 [true]");
    k.put("arch.image-size", "model (evaluation) resolution [" + a.imageSize() + "; paper 224]");
    k.put("arch.patch", "patch size [" + a.patch() + "; paper 16]");
    k.put("arch.width", "image transformer width [" + a.width() + "; paper 768]");
    k.put("arch.layers", "image transformer blocks [" + a.layers() + "; paper 12]");
    k.put("arch.heads", "image attention heads [" + a.heads() + "; paper 12]");
    k.put("arch.embed", "joint embedding size [" + a.embed() + "; unofficial code 768, no projection]");
    k.put("arch.text-width", "text transformer width [" + a.textWidth() + "; paper T5-base 768]");
    k.put("arch.text-layers", "text transformer blocks [" + a.textLayers() + "; paper 12]");
    k.put("arch.text-heads", "text attention heads [" + a.textHeads() + "; paper 12]");
    k.put("arch.context", "caption tokens incl. start and end [" + a.contextLength() + "]");
    return Collections.unmodifiableMap(k);
  }

  /**
   * Reads and validates the settings.
   *
   * @throws InvalidInputException naming the key if a key is unknown or a value is invalid
   */
  public static ClippyTrainSettings of(Map<String, String> config) {
    TrainSpec.requireKnownKeys("clippy", config, KEYS.keySet());
    ClipContrastiveTraining.Architecture arch =
        ClipContrastiveTraining.Architecture.from(config, ClipContrastiveTraining.Architecture.SYNTH);
    try {
      clipConfig(arch, 1); // checks divisibility of widths by heads and of the image size by the patch
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("training settings arch.*: " + e.getMessage());
    }
    int batch = ClipContrastiveTraining.intKey(config, "batch-size", 64);
    if (batch < 2) {
      throw new InvalidInputException("training setting 'batch-size' must be at least 2 (a contrastive batch needs"
          + " negatives), got " + batch);
    }
    SettingsReader r = SettingsReader.training(config);
    double dropout = r.fraction("patch-dropout", 0.5);
    int trainSize = ClipContrastiveTraining.intKey(config, "train-image-size", arch.imageSize());
    if (trainSize % arch.patch() != 0) {
      throw new InvalidInputException("training setting 'train-image-size' (" + trainSize + ") must be a multiple of"
          + " the patch size " + arch.patch());
    }
    ClippyConfig model = new ClippyConfig(
        ClippyConfig.parse(ClippyConfig.ImagePool.class, "training setting image-pool", config.getOrDefault("image-pool", "max")),
        ClippyConfig.parse(ClippyConfig.TextPool.class, "training setting text-pool", config.getOrDefault("text-pool", "mean")),
        ClippyConfig.parse(ClippyConfig.TextAttention.class, "training setting text-attention",
            config.getOrDefault("text-attention", "bidirectional")));
    return new ClippyTrainSettings(arch, batch, dropout, trainSize, model, r.flag("flip", true));
  }

  /** The CLIP architecture of these settings for a vocabulary of {@code vocabSize} tokens. */
  static ClipConfig clipConfig(ClipContrastiveTraining.Architecture a, int vocabSize) {
    return new ClipConfig(a.embed(), a.imageSize(), a.layers(), a.width(), a.heads(), a.patch(), a.contextLength(),
        vocabSize, a.textWidth(), a.textHeads(), a.textLayers());
  }
}

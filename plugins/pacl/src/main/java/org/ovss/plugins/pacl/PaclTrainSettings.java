package org.ovss.plugins.pacl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.nn.SettingsReader;

/**
 * PACL's training settings ({@link org.ovss.api.TrainSpec#config()}), validated. The paper leaves the
 * constants of the compatibility function and the loss unstated (Mukhoti et al. CVPR 2023, Section 5); the
 * defaults and why are in the plugin README.
 *
 * @param batchSize image-caption pairs per step (paper 4096)
 * @param contextLength caption tokens incl. start and end; empty: the CLIP's own
 * @param embedder form of ê_v
 * @param hidden ê_v's hidden width; empty: the CLIP's joint embedding width (512 for ViT-B/16)
 * @param dropout dropout of the NMS05 embedder (0.1, NMS05)
 * @param tokens which CLIP patch tokens ê_v reads
 * @param similarity patch-text similarity in the compatibility function
 * @param weighting patch weights from the similarity
 * @param patchTemperature divisor of the similarity before the weighting
 * @param temperature InfoNCE temperature; empty: 1 / min(exp(logit_scale), 100) of the CLIP checkpoint
 * @param ownPairing pool each image with its own caption only (NMS05) instead of with every caption (paper)
 */
record PaclTrainSettings(
    int batchSize,
    OptionalInt contextLength,
    PaclConfig.Embedder embedder,
    OptionalInt hidden,
    double dropout,
    PaclConfig.Tokens tokens,
    PaclConfig.Similarity similarity,
    PaclConfig.Weighting weighting,
    double patchTemperature,
    OptionalDouble temperature,
    boolean ownPairing) {

  static final int DEFAULT_BATCH = 32;
  static final double DEFAULT_PATCH_TEMPERATURE = 0.1;
  static final double DEFAULT_DROPOUT = 0.1;

  /** The method's keys with their descriptions (defaults in brackets). */
  static final Map<String, String> KEYS = keys();


  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("batch-size", "image-caption pairs per step [" + DEFAULT_BATCH + "; paper 4096]");
    k.put("context-length", "caption tokens incl. start/end [the CLIP's context length]");
    k.put("embedder", "form of the vision embedder: paper (Linear-ReLU-Linear + linear residual) or nms05"
        + " (LayerNorm, Dropout, Linear + Linear-GELU-Linear) [paper]");
    k.put("embedder-hidden", "hidden width of the embedder [the CLIP's embedding width, 512 for ViT-B/16]");
    k.put("dropout", "dropout after the LayerNorm of the nms05 embedder [" + DEFAULT_DROPOUT + "]");
    k.put("patch-tokens", "CLIP patch tokens the embedder reads: ln-post (after ln_post, before proj) or last-block [ln-post]");
    k.put("patch-similarity", "patch-text similarity s: cosine or dot [cosine]");
    k.put("patch-weighting", "patch weights from s: softmax over patches (paper) or sigmoid (NMS05) [softmax]");
    k.put("patch-temperature", "s is divided by it before the weighting [" + DEFAULT_PATCH_TEMPERATURE
        + "; NMS05's sigmoid(10 cos)]");
    k.put("temperature", "InfoNCE temperature, a number or 'clip' [clip: 1 / min(exp(logit_scale), 100) of the CLIP]");
    k.put("pairing", "all: every image pooled with every caption (paper); own: with its own caption only (NMS05) [all]");
    return Collections.unmodifiableMap(k);
  }

  /**
   * Reads and validates the settings.
   *
   * @throws InvalidInputException naming the key if a key is unknown or a value is out of range
   */
  static PaclTrainSettings of(Map<String, String> config) {
    TrainSpec.requireKnownKeys("pacl", config, KEYS.keySet());
    SettingsReader r = SettingsReader.training(config);
    String t = config.getOrDefault("temperature", "clip").strip();
    OptionalDouble temperature = t.equalsIgnoreCase("clip")
        ? OptionalDouble.empty() : OptionalDouble.of(r.positive("temperature", Double.NaN));
    String pairing = r.choice("pairing", "all", List.of("all", "own"));
    PaclTrainSettings s = new PaclTrainSettings(
        r.whole("batch-size", 2).orElse(DEFAULT_BATCH),
        r.whole("context-length", 2),
        choice(config, PaclConfig.Embedder.class, "embedder", PaclConfig.Embedder.PAPER),
        r.whole("embedder-hidden", 1),
        r.fraction("dropout", DEFAULT_DROPOUT),
        choice(config, PaclConfig.Tokens.class, "patch-tokens", PaclConfig.Tokens.LN_POST),
        choice(config, PaclConfig.Similarity.class, "patch-similarity", PaclConfig.Similarity.COSINE),
        choice(config, PaclConfig.Weighting.class, "patch-weighting", PaclConfig.Weighting.SOFTMAX),
        r.positive("patch-temperature", DEFAULT_PATCH_TEMPERATURE),
        temperature,
        pairing.equals("own"));
    return s;
  }

  /** The model configuration these settings give on a CLIP of embedding width {@code embedDim}. */
  PaclConfig modelConfig(int embedDim, double clipTemperature) {
    return new PaclConfig(embedder, hidden.orElse(embedDim), dropout, tokens, similarity, weighting, patchTemperature,
        temperature.orElse(clipTemperature));
  }

  private static <E extends Enum<E> & PaclConfig.Named> E choice(Map<String, String> config, Class<E> type, String key,
      E fallback) {
    String v = config.get(key);
    return v == null ? fallback : PaclConfig.parse(type, SettingsReader.TRAINING + " '" + key + "'", v);
  }
}

package org.ovss.plugins.segclip;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;
import org.ovss.nn.SettingsReader;

/**
 * SegCLIP's training settings ({@link org.ovss.api.TrainSpec#config()}), validated. Defaults follow the
 * paper (Sections 2.3-2.5, 3.1) and the official code (ArrowLuo/SegCLIP@df09ba2 {@code main_task_align.py}) unless
 * stated.
 *
 * @param init CLIP (or SegCLIP) weights to start from when the method was opened without weights
 * @param tokenizer tokenizer location when it is not beside the weights
 * @param batchSize pairs per step (paper 768 over 8 GPUs)
 * @param contextLength caption tokens ({@code max_words} 32 in training)
 * @param firstStageLayers CLIP blocks on the patches (empty: the CLIP's blocks - 2, which is the paper's
 *     10 of 12)
 * @param centers learnable centres (8)
 * @param crossLayers cross-attention blocks (2)
 * @param decoderDim MAE decoder width (empty: vision width / 2, the official rule)
 * @param decoderDepth MAE decoder blocks (3)
 * @param decoderHeads MAE decoder heads (8)
 * @param contrastiveWeight weight of L_con (1)
 * @param reconstructionWeight weight of L_rec (1); 0 skips the masked pass
 * @param superpixelWeight weight of L_sup (1); 0 skips the superpixels
 * @param klNorm divisor of L_sup: {@code code} (B N L, default) or {@code paper} (B N)
 * @param maskRatio share of patch tokens removed in the masked pass (0.75)
 * @param cropScaleMin smallest crop area share of RandomResizedCrop (0.5)
 * @param cropScaleMax largest crop area share (1.0)
 * @param superpixelScale Felzenszwalb k at the reference side (224)
 * @param superpixelSigma Felzenszwalb sigma at the reference side (0.9)
 * @param superpixelMinSize Felzenszwalb min_size at the reference side (224)
 * @param superpixelReferenceSide short image side the three superpixel values are meant for (224, the
 *     short side of the official training images); they are scaled to each image's short side s, scale
 *     and min_size by (s / reference)^2 (they count pixels), sigma by s / reference
 * @param lowerLrRatio learning-rate ratio of the parameters the paper trains at its lower rate (text
 *     tower, first-stage blocks, logit scale, ln_final, text_projection): 4e-6 / 4e-3 = 0.001 by
 *     default, their weight decay at that rate too; 0 freezes them (faster), 1 trains them like the rest
 * @param freezeEmbeddings keep conv1, the positional embeddings, class embedding, ln_pre and the token
 *     embedding fixed, as the official training code does (true)
 */
public record SegclipTrainSettings(
    Optional<Path> init,
    Optional<Path> tokenizer,
    int batchSize,
    int contextLength,
    OptionalInt firstStageLayers,
    int centers,
    int crossLayers,
    OptionalInt decoderDim,
    int decoderDepth,
    int decoderHeads,
    double contrastiveWeight,
    double reconstructionWeight,
    double superpixelWeight,
    SuperpixelKl.Normalisation klNorm,
    double maskRatio,
    double cropScaleMin,
    double cropScaleMax,
    double superpixelScale,
    double superpixelSigma,
    double superpixelMinSize,
    double superpixelReferenceSide,
    double lowerLrRatio,
    boolean freezeEmbeddings) {

  /** The method's keys with their descriptions (defaults in brackets). */
  public static final Map<String, String> KEYS = keys();


  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put(TrainSpec.PRESET, "small (the engine's defaults) or official (the official run's optimiser settings) [small]");
    k.put("init", "CLIP (or SegCLIP) weights to start from when the method is opened without --weights");
    k.put("tokenizer", "tokenizer directory (vocab.json + merges.txt) or bpe_simple_vocab_16e6.txt.gz [beside the weights]");
    k.put("batch-size", "image-caption pairs per step [32; paper 768]");
    k.put("context-length", "caption tokens incl. start/end [32, the official max_words]");
    k.put("first-stage-layers", "CLIP blocks on the patch tokens [CLIP blocks - 2, i.e. 10 of 12]");
    k.put("centers", "learnable semantic centres [8]");
    k.put("cross-layers", "cross-attention blocks of the semantic module [2]");
    k.put("mae-decoder-dim", "MAE decoder width [vision width / 2]");
    k.put("mae-decoder-depth", "MAE decoder blocks [3]");
    k.put("mae-decoder-heads", "MAE decoder heads [8]");
    k.put("loss-weight-contrastive", "weight of the image-text contrastive loss [1]");
    k.put("loss-weight-reconstruction", "weight of the masked-patch reconstruction loss [1; 0 skips it]");
    k.put("loss-weight-superpixel", "weight of the superpixel KL loss [1; 0 skips it]");
    k.put("superpixel-kl-norm", "divisor of the KL loss: code (B*N*L) or paper (B*N) [code]");
    k.put("mask-ratio", "share of patch tokens removed in the masked pass [0.75]");
    k.put("crop-scale-min", "smallest RandomResizedCrop area share [0.5]");
    k.put("crop-scale-max", "largest RandomResizedCrop area share [1.0]");
    k.put("superpixel-scale", "Felzenszwalb scale at the reference side [224]");
    k.put("superpixel-sigma", "Felzenszwalb sigma at the reference side [0.9]");
    k.put("superpixel-min-size", "Felzenszwalb min_size at the reference side [224]");
    k.put("superpixel-reference-side", "image short side the superpixel values are meant for [224]");
    k.put("lower-lr-ratio", "learning-rate ratio of the text tower, first-stage blocks and logit scale [0.001 = 4e-6/4e-3; 0 freezes]");
    k.put("freeze-embeddings", "keep patch/positional/class/token embeddings and ln_pre fixed, as the official code [true]");
    return java.util.Collections.unmodifiableMap(k);
  }

  /**
   * Reads and validates the settings.
   *
   * @throws InvalidInputException naming the key if a key is unknown or a value is out of range
   */
  public static SegclipTrainSettings of(Map<String, String> config) {
    TrainSpec.requireKnownKeys("segclip", config, KEYS.keySet());
    TrainSpec.officialPreset(config); // fails early on a preset other than small / official
    SettingsReader r = SettingsReader.training(config);
    double min = r.number("crop-scale-min", 0.5, 0, 1, false);
    double max = r.number("crop-scale-max", 1.0, 0, 1, false);
    if (min > max) {
      throw new InvalidInputException("training setting 'crop-scale-min' (" + min + ") exceeds 'crop-scale-max' (" + max + ")");
    }
    SegclipTrainSettings s = new SegclipTrainSettings(
        r.path("init"),
        r.path("tokenizer"),
        r.whole("batch-size", 32, 2),
        r.whole("context-length", 32, 2),
        r.whole("first-stage-layers", 1),
        r.whole("centers", 8, 1),
        r.whole("cross-layers", 2, 0),
        r.whole("mae-decoder-dim", 4),
        r.whole("mae-decoder-depth", 3, 0),
        r.whole("mae-decoder-heads", 8, 1),
        r.number("loss-weight-contrastive", 1, 0, Double.MAX_VALUE, true),
        r.number("loss-weight-reconstruction", 1, 0, Double.MAX_VALUE, true),
        r.number("loss-weight-superpixel", 1, 0, Double.MAX_VALUE, true),
        r.choice("superpixel-kl-norm", "code", List.of("code", "paper")).equals("code")
            ? SuperpixelKl.Normalisation.CODE : SuperpixelKl.Normalisation.PAPER,
        r.number("mask-ratio", 0.75, 0, 1, false),
        min,
        max,
        r.number("superpixel-scale", 224, 0, Double.MAX_VALUE, true),
        r.number("superpixel-sigma", 0.9, 0, Double.MAX_VALUE, true),
        r.number("superpixel-min-size", 224, 0, Double.MAX_VALUE, true),
        r.number("superpixel-reference-side", 224, 0, Double.MAX_VALUE, false),
        r.number("lower-lr-ratio", 0.001, 0, 1, true),
        r.flag("freeze-embeddings", true));
    if (s.contrastiveWeight + s.reconstructionWeight + s.superpixelWeight == 0) {
      throw new InvalidInputException("every segclip loss weight is 0: nothing to train");
    }
    return s;
  }

  /**
   * The engine settings of the official run (ArrowLuo/SegCLIP@df09ba2 {@code main_task_align.py} and {@code
   * modules/optimization_adamw.py}, README command) for {@code steps} steps: lr 4e-3 (the lower-rate group at
   * {@code lower-lr-ratio} x that, 4e-6 by default), warm-up over the first 15% of the steps from 0, cosine to 0,
   * betas (0.9, 0.98), eps 1e-6, weight decay 0.05, clipping at the global norm 1.0. The official code does not
   * scale the rate with the batch (768 in the paper), so neither does the preset.
   */
  public static Map<String, String> officialEngineSettings(int steps) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("lr", "4e-3");
    s.put("warmup-steps", Integer.toString((int) (steps * 0.15)));
    s.put("min-lr", "0");
    s.put("beta1", "0.9");
    s.put("beta2", "0.98");
    s.put("eps", "1e-6");
    s.put("weight-decay", "0.05");
    s.put("clip-norm", "1.0");
    return s;
  }

  /**
   * {@code spec} with the engine settings of its preset ({@code preset=official}: {@link #officialEngineSettings})
   * under the settings it gives itself; the small preset leaves it as it is.
   */
  public static TrainSpec engineSpec(TrainSpec spec) {
    return TrainSpec.officialPreset(spec.config()) ? spec.withDefaults(officialEngineSettings(spec.steps())) : spec;
  }

  /** Felzenszwalb parameters for an image of the given short side. */
  double[] superpixelParameters(int shortSide) {
    double f = shortSide / superpixelReferenceSide;
    return new double[] {superpixelScale * f * f, superpixelSigma * f, Math.max(0, Math.round(superpixelMinSize * f * f))};
  }
}

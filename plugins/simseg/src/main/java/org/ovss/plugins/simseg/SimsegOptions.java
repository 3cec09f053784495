package org.ovss.plugins.simseg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.clip.method.PromptEncoder;

/**
 * SimSeg's inference options ({@link org.ovss.api.MethodConfig#options()}, {@code -o NAME=VALUE}), validated.
 * Defaults are the official evaluation's (muyangyi/SimSeg@50f3f59 tools/seg_evaluation.py; the paper's
 * Section 4.3 describes the same steps with fewer constants).
 *
 * @param imageK LoDA k of the image-level class scores (empty: the checkpoint's training M^I, as the paper
 *     prescribes: "the best M^I at eval = the same as pre-training")
 * @param textK LoDA k of the class prompts (paper and code: 1)
 * @param topClasses how many top class scores give mu and sigma; 0 = half of the classes with background
 * @param candidates at most this many candidate classes per image (official {@code candidate_class_num = 5})
 * @param crf whether each candidate's map goes through the DenseCRF
 * @param crfParameters parameters handed to the {@code densecrf} post-processor (empty: its defaults, which
 *     are SimSeg's)
 * @param closing side of the square of the morphological closing after the CRF (official 7); 0 or 1 = none
 * @param textBatch prompts per text-encoder forward
 * @param visionHeads attention heads of the image tower for CLIP weights without head metadata
 * @param textHeads attention heads of the text tower, likewise
 */
record SimsegOptions(
    OptionalInt imageK,
    int textK,
    int topClasses,
    int candidates,
    boolean crf,
    Map<String, String> crfParameters,
    int closing,
    int textBatch,
    OptionalInt visionHeads,
    OptionalInt textHeads) {

  /** Prefix of the options passed through to the {@code densecrf} post-processor. */
  static final String CRF_PREFIX = "crf.";

  /** The densecrf post-processor's parameter names (plugins/postprocess DenseCrfProvider). */
  private static final Set<String> CRF_PARAMETERS = Set.of(
      "iterations", "gaussian-sxy", "gaussian-compat", "bilateral-sxy", "bilateral-srgb", "bilateral-compat");

  /** Option names with descriptions (defaults in brackets): the method's knobs. */
  static final Map<String, String> KNOBS = knobs();

  private static Map<String, String> knobs() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("image-k", "LoDA k of the image-level class scores [the checkpoint's training image-k, 5]");
    k.put("text-k", "LoDA k of the class prompts [1, paper and code]");
    k.put("top-classes", "top class scores whose mean + coef x std is the candidate threshold: a count, or 'half' of the "
        + "classes with background [half: VOC 10, Context 30; the official code uses 10 on COCO]");
    k.put("candidates", "most candidate classes per image [5, official]");
    k.put("crf", "DenseCRF on each candidate's map: on or off [on]");
    for (String p : new TreeSet<>(CRF_PARAMETERS)) {
      k.put(CRF_PREFIX + p, "densecrf parameter " + p + " [SimSeg's: gaussian 3/3, bilateral 40/13/10, 3 iterations]");
    }
    k.put("closing", "side of the square closing (dilate then erode) after the CRF; 0 = none [7, official]");
    k.put(PromptEncoder.TEXT_BATCH, "prompts per text-encoder forward [" + PromptEncoder.DEFAULT_TEXT_BATCH + "]");
    k.put("vision-heads", "image-tower heads for CLIP weights without head metadata [metadata, else width/64]");
    k.put("text-heads", "text-tower heads, likewise");
    return Collections.unmodifiableMap(k);
  }

  /**
   * Reads and validates the options.
   *
   * @throws InvalidInputException naming the option if a name is unknown or a value is invalid
   */
  static SimsegOptions of(Map<String, String> options) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(KNOBS.keySet());
    if (!unknown.isEmpty()) {
      throw new InvalidInputException("unknown simseg option(s) " + unknown + "; known: " + String.join(", ", new TreeSet<>(KNOBS.keySet())));
    }
    Map<String, String> crfParameters = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().startsWith(CRF_PREFIX)) {
        crfParameters.put(e.getKey().substring(CRF_PREFIX.length()), e.getValue());
      }
    }
    String top = options.getOrDefault("top-classes", "half").strip().toLowerCase(Locale.ROOT);
    int topClasses = top.equals("half") ? 0 : positive(options, "top-classes", 0, "a positive integer or 'half'");
    String crf = options.getOrDefault("crf", "on").strip().toLowerCase(Locale.ROOT);
    if (!crf.equals("on") && !crf.equals("off")) {
      throw new InvalidInputException("option crf must be on or off, got '" + options.get("crf") + "'");
    }
    return new SimsegOptions(MethodConfig.positiveInt(options, "image-k"), MethodConfig.positiveInt(options, "text-k").orElse(1),
        topClasses, MethodConfig.positiveInt(options, "candidates").orElse(5), crf.equals("on"),
        Collections.unmodifiableMap(crfParameters), nonNegative(options, "closing", 7),
        MethodConfig.positiveInt(options, PromptEncoder.TEXT_BATCH).orElse(PromptEncoder.DEFAULT_TEXT_BATCH),
        MethodConfig.positiveInt(options, "vision-heads"), MethodConfig.positiveInt(options, "text-heads"));
  }

  private static int positive(Map<String, String> options, String name, int defaultValue, String expected) {
    String v = options.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("option " + name + " must be " + expected + ", got '" + v + "'");
  }

  private static int nonNegative(Map<String, String> options, String name, int defaultValue) {
    String v = options.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("option " + name + " must be a non-negative integer, got '" + v + "'");
  }
}

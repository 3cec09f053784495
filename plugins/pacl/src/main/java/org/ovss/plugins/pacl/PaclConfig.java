package org.ovss.plugins.pacl;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ovss.api.InvalidInputException;

/**
 * What a PACL checkpoint needs besides its tensors to be used as it was trained: the embedder's form and
 * the compatibility function's constants. Stored in the safetensors metadata under {@code pacl.*} (and
 * copied to {@code pacl-config.json} for people to read).
 *
 * @param embedder form of the vision embedder
 * @param hidden width of the embedder's hidden layer
 * @param dropout dropout rate of the {@link Embedder#NMS05} form (unused by the paper form)
 * @param tokens which CLIP patch tokens the embedder reads
 * @param similarity patch-text similarity s inside the compatibility function
 * @param weighting how s becomes patch weights
 * @param patchTemperature divisor of s before the weighting
 * @param temperature InfoNCE temperature the embedder was trained with (its inverse is the default class
 *     logit scale at inference)
 */
record PaclConfig(
    Embedder embedder,
    int hidden,
    double dropout,
    Tokens tokens,
    Similarity similarity,
    Weighting weighting,
    double patchTemperature,
    double temperature) {

  /** Value of the metadata key {@code format} of a PACL checkpoint. */
  static final String FORMAT = "ovss-pacl";

  PaclConfig {
    if (hidden <= 0) {
      throw new InvalidInputException("pacl embedder hidden width must be positive, got " + hidden);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new InvalidInputException("pacl dropout must be in [0, 1), got " + dropout);
    }
    if (!(patchTemperature > 0 && Double.isFinite(patchTemperature))) {
      throw new InvalidInputException("pacl patch temperature must be a positive number, got " + patchTemperature);
    }
    if (!(temperature > 0 && Double.isFinite(temperature))) {
      throw new InvalidInputException("pacl temperature must be a positive number, got " + temperature);
    }
  }

  /** A setting whose values are lower-case words: the constant's name in lower case, '_' written '-'. */
  interface Named {
    String name();

    default String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Form of the vision embedder ê_v (PACL paper Section 6.1, Appendix A.1, Figure 9; no official code exists). */
  enum Embedder implements Named {
    /** The paper: Linear-ReLU-Linear plus a linear residual branch. */
    PAPER,
    /** NMS05's community code: LayerNorm, Dropout, then Linear + (Linear-GELU-Linear). */
    NMS05
  }

  /** Which CLIP tokens are the patch tokens f̂_v(x) (the paper does not say: Section 5, Eqs. 2-4). */
  enum Tokens implements Named {
    /** Last block's patch tokens after ln_post, before proj: open_clip's {@code output_tokens}, which NMS05 uses. */
    LN_POST,
    /** Last block's patch tokens without ln_post. */
    LAST_BLOCK
  }

  /** Patch-text similarity s of Eq. 2: cosine (the paper's text) or raw dot product (the printed equation). */
  enum Similarity implements Named {
    COSINE,
    DOT
  }

  /** Patch weights from s: softmax over the patches (the paper) or an independent sigmoid (NMS05). */
  enum Weighting implements Named {
    SOFTMAX,
    SIGMOID
  }

  /** The value of {@code type} named {@code value}, or an error naming {@code what} and listing the values. */
  static <E extends Enum<E> & Named> E parse(Class<E> type, String what, String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.key().equals(v)) {
        return e;
      }
    }
    throw new InvalidInputException(what + " must be one of "
        + Arrays.stream(type.getEnumConstants()).map(Named::key).toList() + ", got '" + value + "'");
  }

  /** The metadata entries of this configuration. */
  Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("pacl.embedder", embedder.key());
    m.put("pacl.embedder_hidden", Integer.toString(hidden));
    m.put("pacl.dropout", Double.toString(dropout));
    m.put("pacl.patch_tokens", tokens.key());
    m.put("pacl.patch_similarity", similarity.key());
    m.put("pacl.patch_weighting", weighting.key());
    m.put("pacl.patch_temperature", Double.toString(patchTemperature));
    m.put("pacl.temperature", Double.toString(temperature));
    return m;
  }

  /** The configuration written by {@link #toMetadata()} into {@code file}. */
  static PaclConfig fromMetadata(Path file, Map<String, String> m) {
    try {
      return new PaclConfig(
          parse(Embedder.class, "pacl.embedder", required(file, m, "pacl.embedder")),
          Integer.parseInt(required(file, m, "pacl.embedder_hidden").strip()),
          Double.parseDouble(required(file, m, "pacl.dropout").strip()),
          parse(Tokens.class, "pacl.patch_tokens", required(file, m, "pacl.patch_tokens")),
          parse(Similarity.class, "pacl.patch_similarity", required(file, m, "pacl.patch_similarity")),
          parse(Weighting.class, "pacl.patch_weighting", required(file, m, "pacl.patch_weighting")),
          Double.parseDouble(required(file, m, "pacl.patch_temperature").strip()),
          Double.parseDouble(required(file, m, "pacl.temperature").strip()));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("PACL checkpoint " + file + ": malformed number in its metadata: " + e.getMessage(), e);
    } catch (InvalidInputException e) {
      throw new InvalidInputException("PACL checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private static String required(Path file, Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new InvalidInputException("metadata entry '" + key + "' is missing (was the file written by this plugin?)");
    }
    return v;
  }
}

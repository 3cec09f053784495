package org.ovss.plugins.clippy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ovss.api.InvalidInputException;

/**
 * What makes a CLIP-architecture model a CLIPpy model: how each tower aggregates its tokens into one
 * embedding, and how the text tokens attend to each other. Saved with the checkpoint (safetensors
 * metadata {@code clippy.*} and {@code clippy-config.json}), since inference must use what training used.
 *
 * @param imagePool image aggregation: {@link ImagePool#MAX} over the patch tokens is CLIPpy's (PAPER 3.2);
 *     MEAN and CLS are the ablations of Table 6 (right)
 * @param textPool text aggregation: {@link TextPool#MEAN} over the non-padding tokens is CLIPpy's (PAPER
 *     3.1, Table 8); MAX is the Table 8 ablation, EOT is plain CLIP's
 * @param textAttention {@link TextAttention#BIDIRECTIONAL} with padding keys masked (a T5 encoder's
 *     attention, the paper's text tower) or CLIP's {@link TextAttention#CAUSAL} mask
 */
public record ClippyConfig(ImagePool imagePool, TextPool textPool, TextAttention textAttention) {

  /** CLIPpy as the paper describes it. */
  public static final ClippyConfig DEFAULT = new ClippyConfig(ImagePool.MAX, TextPool.MEAN, TextAttention.BIDIRECTIONAL);

  /** File written beside the weights. */
  public static final String FILE = "clippy-config.json";

  private static final String META_PREFIX = "clippy.";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the image tower turns its tokens (after ln_post and proj) into the image embedding. */
  public enum ImagePool {
    /** Per-channel maximum over the patch tokens, CLS excluded (CLIPpy). */
    MAX,
    /** Mean over the patch tokens, CLS excluded (the "Avg" ablation). */
    MEAN,
    /** The CLS token, as CLIP (the "Cls" ablation). */
    CLS
  }

  /** How the text tower turns its tokens (after ln_final and text_projection) into the text embedding. */
  public enum TextPool {
    /** Mean over the tokens from start to end of text, padding excluded (CLIPpy, Sentence-T5). */
    MEAN,
    /** Per-channel maximum over the same tokens (the Table 8 ablation). */
    MAX,
    /** The end-of-text token (plain CLIP). */
    EOT
  }

  /** Which text tokens a text token attends to. */
  public enum TextAttention {
    /** Every non-padding token (T5 encoder). */
    BIDIRECTIONAL,
    /** Itself and the tokens before it (CLIP). */
    CAUSAL
  }

  public ClippyConfig {
    if (imagePool == null || textPool == null || textAttention == null) {
      throw new IllegalArgumentException("CLIPpy config fields must not be null");
    }
  }

  /** The enum constant named {@code value} (case-insensitive), or an error naming {@code key} and the choices. */
  static <E extends Enum<E>> E parse(Class<E> type, String key, String value) {
    String v = value.strip().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(v)) {
        return e;
      }
    }
    throw new InvalidInputException("'" + key + "' must be one of " + names(type) + ", got '" + value + "'");
  }

  static <E extends Enum<E>> String names(Class<E> type) {
    return Arrays.toString(Arrays.stream(type.getEnumConstants()).map(ClippyConfig::name).toArray());
  }

  static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** As safetensors metadata ({@code clippy.image_pool}, ...). */
  public Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("method", "clippy");
    m.put(META_PREFIX + "image_pool", name(imagePool));
    m.put(META_PREFIX + "text_pool", name(textPool));
    m.put(META_PREFIX + "text_attention", name(textAttention));
    return m;
  }

  /** True when {@code metadata} holds a CLIPpy config. */
  static boolean inMetadata(Map<String, String> metadata) {
    return metadata.containsKey(META_PREFIX + "image_pool");
  }

  /** The config saved in safetensors metadata; {@code source} names the file in error messages. */
  static ClippyConfig fromMetadata(Map<String, String> metadata, Object source) {
    return new ClippyConfig(
        parse(ImagePool.class, source + ": metadata " + META_PREFIX + "image_pool", require(metadata, "image_pool", source)),
        parse(TextPool.class, source + ": metadata " + META_PREFIX + "text_pool", require(metadata, "text_pool", source)),
        parse(TextAttention.class, source + ": metadata " + META_PREFIX + "text_attention",
            require(metadata, "text_attention", source)));
  }

  private static String require(Map<String, String> metadata, String key, Object source) {
    String v = metadata.get(META_PREFIX + key);
    if (v == null) {
      throw new InvalidInputException(source + ": CLIPpy metadata lacks '" + META_PREFIX + key + "'");
    }
    return v;
  }

  /**
   * Writes {@code clippy-config.json}: this config plus {@code extra} fields (the architecture and the
   * training settings, for people reading it; loading uses only the three fields of this record).
   */
  public void write(Path file, Map<String, Object> extra) {
    ObjectNode root = JSON.createObjectNode();
    root.put("method", "clippy");
    root.put("image_pool", name(imagePool));
    root.put("text_pool", name(textPool));
    root.put("text_attention", name(textAttention));
    for (Map.Entry<String, Object> e : extra.entrySet()) {
      root.set(e.getKey(), JSON.valueToTree(e.getValue()));
    }
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Reads {@code clippy-config.json}. */
  public static ClippyConfig read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read CLIPpy config " + file + ": " + e.getMessage(), e);
    }
    return new ClippyConfig(
        parse(ImagePool.class, file + ": image_pool", text(root, "image_pool", file)),
        parse(TextPool.class, file + ": text_pool", text(root, "text_pool", file)),
        parse(TextAttention.class, file + ": text_attention", text(root, "text_attention", file)));
  }

  private static String text(JsonNode root, String field, Path file) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidInputException("CLIPpy config " + file + " lacks the text field '" + field + "'");
    }
    return n.asText();
  }
}

package org.ovss.plugins.groupvit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.ovss.api.InvalidInputException;

/**
 * Architecture of a GroupViT {@code MultiLabelContrastive} model under the official config keys
 * (NVlabs/GroupViT {@code configs/*.yml}, section {@code model}): the {@code GroupViT} image encoder, the
 * {@code TextTransformer} and the projection heads. Missing keys take the defaults of the official
 * constructors ({@code img_size} 224, {@code patch_size} 16, ...); the text encoder's sizes have no default.
 *
 * <p>Two keys extend the official set, because the official code fixes them: {@code proj_inner_dim} (hidden
 * width of the projection MLPs, 4096 in {@code ProjectMLP}) and {@code text_encoder.heads} (width // 64 in
 * {@code TextTransformer}). Both default to the official value.
 *
 * @param imageSize training input size ({@code img_size}); the positional embedding has (imageSize / patchSize)^2 rows
 * @param patchSize patch size of the patch-embedding convolution
 * @param embedDim width of every stage ({@code embed_factors} must be all 1, as in every official config)
 * @param depths transformer blocks per stage
 * @param numHeads attention heads per stage (also the heads of the stage's pre-assignment cross-attention)
 * @param numGroupTokens learnable group tokens per stage (0 in the last stage of the official configs)
 * @param numOutputGroups groups each grouping block outputs (one entry per stage but the last)
 * @param hardAssignment hard (straight-through) assignment, gumbel noise in training; soft assignment if false
 * @param mlpRatio hidden width of the blocks' MLPs over the stage width
 * @param contextLength text tokens per caption
 * @param textWidth text transformer width
 * @param textLayers text transformer blocks
 * @param textHeads text attention heads
 * @param vocabSize rows of the token embedding
 * @param outputDim width of the joint embedding space
 * @param projNumLayers layers of each projection MLP (0: identity)
 * @param projInnerDim hidden width of the projection MLPs
 * @param contrastTemperature initial temperature of both contrastive losses (logit_scale = log(1 / T))
 * @param multiLabel noun prompts per caption in the multi-label loss (0: image-text loss only)
 * @param shareTemperature the multi-label loss uses {@code logit_scale} instead of its own
 * @param multiLabelLossWeight weight of the multi-label loss
 */
public record GroupVitConfig(
    int imageSize,
    int patchSize,
    int embedDim,
    List<Integer> depths,
    List<Integer> numHeads,
    List<Integer> numGroupTokens,
    List<Integer> numOutputGroups,
    boolean hardAssignment,
    double mlpRatio,
    int contextLength,
    int textWidth,
    int textLayers,
    int textHeads,
    int vocabSize,
    int outputDim,
    int projNumLayers,
    int projInnerDim,
    double contrastTemperature,
    int multiLabel,
    boolean shareTemperature,
    double multiLabelLossWeight) {

  /** File name of the config written beside a checkpoint and looked for beside weights. */
  public static final String FILE_NAME = "groupvit-config.json";

  /** Hidden width of the official {@code ProjectMLP}. */
  public static final int OFFICIAL_PROJ_INNER_DIM = 4096;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Official keys that change nothing at inference and that this implementation accepts and ignores. */
  private static final Set<String> IGNORED_IMAGE_KEYS =
      Set.of("type", "drop_rate", "attn_drop_rate", "drop_path_rate", "use_checkpoint", "freeze_patch_embed");
  private static final Set<String> IMAGE_KEYS = union(IGNORED_IMAGE_KEYS, Set.of(
      "img_size", "patch_size", "embed_dim", "depths", "num_heads", "num_group_tokens", "num_output_groups",
      "hard_assignment", "mlp_ratio", "embed_factors", "qkv_bias", "qk_scale", "patch_norm", "pos_embed_type",
      "num_classes", "in_chans"));
  private static final Set<String> TEXT_KEYS =
      Set.of("type", "context_length", "width", "layers", "vocab_size", "heads", "use_checkpoint");
  private static final Set<String> MODEL_KEYS = Set.of("type", "img_encoder", "text_encoder", "output_dim",
      "contrast_temperature", "proj_num_layers", "proj_inner_dim", "multi_label", "share_temperature",
      "multi_label_loss_weight");

  public GroupVitConfig {
    depths = List.copyOf(depths);
    numHeads = List.copyOf(numHeads);
    numGroupTokens = List.copyOf(numGroupTokens);
    numOutputGroups = List.copyOf(numOutputGroups);
    int stages = depths.size();
    check(stages >= 1, "depths must name at least one stage");
    check(numHeads.size() == stages, "num_heads has " + numHeads.size() + " entries for " + stages + " stages");
    check(numGroupTokens.size() == stages, "num_group_tokens has " + numGroupTokens.size() + " entries for " + stages + " stages");
    check(numOutputGroups.size() == stages - 1,
        "num_output_groups has " + numOutputGroups.size() + " entries; " + stages + " stages need " + (stages - 1));
    check(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0,
        "img_size " + imageSize + " must be a positive multiple of patch_size " + patchSize);
    check(embedDim > 0, "embed_dim must be positive");
    for (int i = 0; i < stages; i++) {
      check(depths.get(i) >= 0, "depths[" + i + "] is negative");
      check(numHeads.get(i) > 0 && embedDim % numHeads.get(i) == 0,
          "embed_dim " + embedDim + " is not divisible by num_heads[" + i + "] = " + numHeads.get(i));
      check(numGroupTokens.get(i) >= 0, "num_group_tokens[" + i + "] is negative");
      if (i < stages - 1) {
        check(numGroupTokens.get(i) > 0, "stage " + i + " groups its tokens, so num_group_tokens[" + i + "] must be positive");
        check(numOutputGroups.get(i) > 0, "num_output_groups[" + i + "] must be positive");
      }
    }
    check(mlpRatio > 0, "mlp_ratio must be positive");
    check(contextLength >= 2, "text context_length must be at least 2");
    check(textWidth > 0 && textLayers >= 0 && vocabSize > 0, "text width, layers and vocab_size must be positive");
    check(textHeads > 0 && textWidth % textHeads == 0, "text width " + textWidth + " is not divisible by " + textHeads + " heads");
    check(outputDim > 0, "output_dim must be positive");
    check(projNumLayers >= 0, "proj_num_layers must not be negative");
    check(projInnerDim > 0, "proj_inner_dim must be positive");
    check(contrastTemperature > 0, "contrast_temperature must be positive");
    check(multiLabel >= 0, "multi_label must not be negative");
    check(multiLabelLossWeight >= 0, "multi_label_loss_weight must not be negative");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException("invalid GroupViT config: " + message);
    }
  }

  /** Number of stages. */
  public int stages() {
    return depths.size();
  }

  /** Patches per side at {@link #imageSize()}. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Tokens entering stage {@code i}: the patches, then the previous stage's output groups. */
  public int inputTokens(int stage) {
    return stage == 0 ? gridSize() * gridSize() : numOutputGroups.get(stage - 1);
  }

  /** Tokens the image encoder outputs (the last stage's input tokens). */
  public int outputTokens() {
    return inputTokens(stages() - 1);
  }

  /** Hidden width of the blocks' MLPs, {@code int(dim * mlp_ratio)} as the official code. */
  public int mlpHidden() {
    return (int) (embedDim * mlpRatio);
  }

  /** Whether the model has a separate {@code multi_label_logit_scale}. */
  public boolean hasMultiLabelScale() {
    return multiLabel > 0 && !shareTemperature;
  }

  /** Reads a config file: the official {@code model} section as JSON, bare or under {@code config} / {@code model}. */
  public static GroupVitConfig load(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read GroupViT config " + file + ": " + e.getMessage(), e);
    }
    try {
      return fromJson(root);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(file + ": " + e.getMessage(), e);
    }
  }

  /** The config of a JSON tree (see {@link #load}). */
  public static GroupVitConfig fromJson(JsonNode root) {
    JsonNode model = root;
    if (model.has("config") && model.get("config").isObject()) {
      model = model.get("config");
    } else if (model.has("model") && model.get("model").isObject()) {
      model = model.get("model");
    }
    if (!model.isObject() || !model.has("img_encoder") || !model.has("text_encoder")) {
      throw new InvalidInputException("not a GroupViT config: expected an object with 'img_encoder' and 'text_encoder'"
          + " (bare, or under 'config' or 'model')");
    }
    checkKeys(model, MODEL_KEYS, "");
    JsonNode img = model.get("img_encoder");
    JsonNode txt = model.get("text_encoder");
    checkKeys(img, IMAGE_KEYS, "img_encoder.");
    checkKeys(txt, TEXT_KEYS, "text_encoder.");
    expectText(model, "type", "MultiLabelContrastive", "");
    expectText(img, "type", "GroupViT", "img_encoder.");
    expectText(txt, "type", "TextTransformer", "text_encoder.");
    expectText(img, "pos_embed_type", "simple", "img_encoder.");
    expectBoolean(img, "qkv_bias", true, "img_encoder.");
    expectBoolean(img, "patch_norm", true, "img_encoder.");
    if (img.has("qk_scale") && !img.get("qk_scale").isNull()) {
      throw unsupported("img_encoder.qk_scale", img.get("qk_scale"), "null (head_dim ** -0.5)");
    }
    if (img.has("num_classes") && intValue(img, "num_classes", 0, "img_encoder.") != 0) {
      throw unsupported("img_encoder.num_classes", img.get("num_classes"), "0 (no classification head)");
    }
    if (img.has("in_chans") && intValue(img, "in_chans", 3, "img_encoder.") != 3) {
      throw unsupported("img_encoder.in_chans", img.get("in_chans"), "3");
    }
    List<Integer> depths = intList(img, "depths", List.of(6, 3, 3), "img_encoder.");
    if (img.has("embed_factors")) {
      for (int f : intList(img, "embed_factors", List.of(), "img_encoder.")) {
        if (f != 1) {
          throw unsupported("img_encoder.embed_factors", img.get("embed_factors"), "all 1 (one width for every stage)");
        }
      }
    }
    int textWidth = requiredInt(txt, "width", "text_encoder.");
    return new GroupVitConfig(
        intValue(img, "img_size", 224, "img_encoder."),
        intValue(img, "patch_size", 16, "img_encoder."),
        intValue(img, "embed_dim", 384, "img_encoder."),
        depths,
        intList(img, "num_heads", List.of(6, 6, 6), "img_encoder."),
        intList(img, "num_group_tokens", List.of(64, 8, 0), "img_encoder."),
        intList(img, "num_output_groups", List.of(64, 8), "img_encoder."),
        booleanValue(img, "hard_assignment", true, "img_encoder."),
        doubleValue(img, "mlp_ratio", 4.0, "img_encoder."),
        requiredInt(txt, "context_length", "text_encoder."),
        textWidth,
        requiredInt(txt, "layers", "text_encoder."),
        intValue(txt, "heads", Math.max(1, textWidth / 64), "text_encoder."),
        requiredInt(txt, "vocab_size", "text_encoder."),
        intValue(model, "output_dim", 256, ""),
        intValue(model, "proj_num_layers", 2, ""),
        intValue(model, "proj_inner_dim", OFFICIAL_PROJ_INNER_DIM, ""),
        doubleValue(model, "contrast_temperature", 0.07, ""),
        intValue(model, "multi_label", 0, ""),
        booleanValue(model, "share_temperature", false, ""),
        doubleValue(model, "multi_label_loss_weight", 1.0, ""));
  }

  /** This config as the official {@code model} section (every key written), under {@code config}. */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode model = root.putObject("config");
    model.put("type", "MultiLabelContrastive");
    ObjectNode img = model.putObject("img_encoder");
    img.put("type", "GroupViT");
    img.put("img_size", imageSize);
    img.put("patch_size", patchSize);
    img.put("embed_dim", embedDim);
    putList(img, "num_heads", numHeads);
    putList(img, "depths", depths);
    putList(img, "num_group_tokens", numGroupTokens);
    putList(img, "num_output_groups", numOutputGroups);
    img.put("hard_assignment", hardAssignment);
    img.put("mlp_ratio", mlpRatio);
    ObjectNode txt = model.putObject("text_encoder");
    txt.put("type", "TextTransformer");
    txt.put("context_length", contextLength);
    txt.put("width", textWidth);
    txt.put("layers", textLayers);
    txt.put("heads", textHeads);
    txt.put("vocab_size", vocabSize);
    model.put("output_dim", outputDim);
    model.put("proj_num_layers", projNumLayers);
    model.put("proj_inner_dim", projInnerDim);
    model.put("contrast_temperature", contrastTemperature);
    model.put("multi_label", multiLabel);
    model.put("share_temperature", shareTemperature);
    model.put("multi_label_loss_weight", multiLabelLossWeight);
    root.put("note", "GroupViT model config (official MultiLabelContrastive keys; proj_inner_dim and text_encoder.heads"
        + " are this project's, with the official 4096 and width // 64 as defaults)");
    return root;
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void save(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      JSON.writeValue(file.toFile(), toJson());
    } catch (IOException e) {
      throw new InvalidInputException("cannot write GroupViT config " + file + ": " + e.getMessage(), e);
    }
  }

  /** A copy with another vocabulary size (a tokenizer built for training decides it). */
  public GroupVitConfig withVocabSize(int newVocabSize) {
    return new GroupVitConfig(imageSize, patchSize, embedDim, depths, numHeads, numGroupTokens, numOutputGroups,
        hardAssignment, mlpRatio, contextLength, textWidth, textLayers, textHeads, newVocabSize, outputDim,
        projNumLayers, projInnerDim, contrastTemperature, multiLabel, shareTemperature, multiLabelLossWeight);
  }

  private static void putList(ObjectNode node, String key, List<Integer> values) {
    ArrayNode a = node.putArray(key);
    values.forEach(a::add);
  }

  private static void checkKeys(JsonNode node, Set<String> known, String prefix) {
    if (!node.isObject()) {
      throw new InvalidInputException("'" + prefix.replaceAll("\\.$", "") + "' must be an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      String key = it.next().getKey();
      if (!known.contains(key)) {
        throw new InvalidInputException("unknown key '" + prefix + key + "'; known keys there: "
            + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static InvalidInputException unsupported(String key, JsonNode value, String supported) {
    return new InvalidInputException("'" + key + "' = " + value + " is not supported; this implementation needs " + supported);
  }

  private static void expectText(JsonNode node, String key, String expected, String prefix) {
    if (node.has(key) && !expected.equals(node.get(key).asText())) {
      throw unsupported(prefix + key, node.get(key), "'" + expected + "'");
    }
  }

  private static void expectBoolean(JsonNode node, String key, boolean expected, String prefix) {
    if (node.has(key) && booleanValue(node, key, expected, prefix) != expected) {
      throw unsupported(prefix + key, node.get(key), String.valueOf(expected));
    }
  }

  private static int requiredInt(JsonNode node, String key, String prefix) {
    if (!node.has(key)) {
      throw new InvalidInputException("missing key '" + prefix + key + "' (the official code has no default for it)");
    }
    return intValue(node, key, 0, prefix);
  }

  /**
   * The value of {@code key} converted by {@code convert}, or {@code defaultValue} (the official code's) when the node
   * does not have the key; a value {@code valid} refuses fails naming the key with its prefix and {@code what} it
   * must be.
   */
  private static <T> T value(JsonNode node, String key, T defaultValue, String prefix, String what,
      Predicate<JsonNode> valid, Function<JsonNode, T> convert) {
    if (!node.has(key)) {
      return defaultValue;
    }
    JsonNode v = node.get(key);
    if (!valid.test(v)) {
      throw new InvalidInputException("'" + prefix + key + "' must be " + what + ", got " + v);
    }
    return convert.apply(v);
  }

  private static int intValue(JsonNode node, String key, int defaultValue, String prefix) {
    return value(node, key, defaultValue, prefix, "an integer", GroupVitConfig::isInteger, JsonNode::asInt);
  }

  private static double doubleValue(JsonNode node, String key, double defaultValue, String prefix) {
    return value(node, key, defaultValue, prefix, "a number", JsonNode::isNumber, JsonNode::asDouble);
  }

  /** true / false, or 1 / 0 as the official YAML files sometimes write them. */
  private static boolean booleanValue(JsonNode node, String key, boolean defaultValue, String prefix) {
    return value(node, key, defaultValue, prefix, "true or false",
        v -> v.isBoolean() || (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)),
        v -> v.isBoolean() ? v.asBoolean() : v.asInt() == 1);
  }

  /** An integral number, also written as a float with no fraction (1.0), within int's range. */
  private static boolean isInteger(JsonNode v) {
    return v.canConvertToInt() && (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())));
  }

  private static List<Integer> intList(JsonNode node, String key, List<Integer> defaultValue, String prefix) {
    return value(node, key, defaultValue, prefix, "a list of integers", GroupVitConfig::isIntegerList, v -> {
      List<Integer> out = new ArrayList<>();
      v.forEach(e -> out.add(e.asInt()));
      return out;
    });
  }

  private static boolean isIntegerList(JsonNode v) {
    if (!v.isArray()) {
      return false;
    }
    for (JsonNode e : v) {
      if (!e.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> s = new java.util.HashSet<>(a);
    s.addAll(b);
    return Set.copyOf(s);
  }
}

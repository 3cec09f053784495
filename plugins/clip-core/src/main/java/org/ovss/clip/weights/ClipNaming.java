package org.ovss.clip.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two CLIP state-dict naming schemes and the mapping of Hugging Face {@code CLIPModel} names onto
 * OpenAI / open_clip names, which is the scheme the blocks use.
 */
public enum ClipNaming {
  /** OpenAI / open_clip: {@code visual.conv1.weight}, {@code visual.transformer.resblocks.N.attn.in_proj_weight}, ... */
  OPENAI("visual.conv1.weight"),
  /** Hugging Face {@code CLIPModel}: {@code vision_model.embeddings.patch_embedding.weight}, separate q/k/v, ... */
  HF("vision_model.embeddings.patch_embedding.weight");

  private final String anchor;

  ClipNaming(String anchor) {
    this.anchor = anchor;
  }

  /** A naming scheme and the prefix every name carries (e.g. {@code clip.} in SegCLIP checkpoints). */
  public record Detected(ClipNaming naming, String prefix) {}

  /** Finds the scheme from the tensor names; empty when neither anchor tensor is present. */
  public static Optional<Detected> detect(Set<String> names) {
    for (ClipNaming n : values()) {
      for (String name : names) {
        if (name.endsWith(n.anchor)) {
          String prefix = name.substring(0, name.length() - n.anchor.length());
          if (prefix.isEmpty() || prefix.endsWith(".")) {
            return Optional.of(new Detected(n, prefix));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** How one OpenAI-named tensor is assembled from source tensors. */
  public record Source(List<String> parts, boolean transpose) {
    static Source of(String name) {
      return new Source(List.of(name), false);
    }
  }

  private static final Pattern HF_LAYER =
      Pattern.compile("(vision|text)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");

  private static final Map<String, String> HF_LAYER_PARTS = Map.of(
      "self_attn.out_proj.weight", "attn.out_proj.weight",
      "self_attn.out_proj.bias", "attn.out_proj.bias",
      "layer_norm1.weight", "ln_1.weight",
      "layer_norm1.bias", "ln_1.bias",
      "layer_norm2.weight", "ln_2.weight",
      "layer_norm2.bias", "ln_2.bias",
      "mlp.fc1.weight", "mlp.c_fc.weight",
      "mlp.fc1.bias", "mlp.c_fc.bias",
      "mlp.fc2.weight", "mlp.c_proj.weight",
      "mlp.fc2.bias", "mlp.c_proj.bias");

  /**
   * Maps every OpenAI name to the source tensors of a file in this naming. Names of the file that play
   * no part (HF's {@code position_ids} buffers) are simply not referenced.
   */
  public Map<String, Source> toOpenAi(Set<String> names, String prefix) {
    Map<String, Source> map = new LinkedHashMap<>();
    for (String full : names) {
      if (!full.startsWith(prefix)) {
        continue;
      }
      String name = full.substring(prefix.length());
      if (this == OPENAI) {
        map.put(name, Source.of(full));
        continue;
      }
      Matcher m = HF_LAYER.matcher(name);
      if (m.matches()) {
        String openaiPrefix = (m.group(1).equals("vision") ? "visual." : "") + "transformer.resblocks." + m.group(2) + ".";
        String rest = m.group(3);
        String layerPrefix = prefix + m.group(1) + "_model.encoder.layers." + m.group(2) + ".self_attn.";
        if (rest.equals("self_attn.q_proj.weight")) {
          map.put(openaiPrefix + "attn.in_proj_weight", new Source(
              List.of(layerPrefix + "q_proj.weight", layerPrefix + "k_proj.weight", layerPrefix + "v_proj.weight"), false));
        } else if (rest.equals("self_attn.q_proj.bias")) {
          map.put(openaiPrefix + "attn.in_proj_bias", new Source(
              List.of(layerPrefix + "q_proj.bias", layerPrefix + "k_proj.bias", layerPrefix + "v_proj.bias"), false));
        } else if (HF_LAYER_PARTS.containsKey(rest)) {
          map.put(openaiPrefix + HF_LAYER_PARTS.get(rest), Source.of(full));
        }
        continue;
      }
      String target = switch (name) {
        case "vision_model.embeddings.patch_embedding.weight" -> "visual.conv1.weight";
        case "vision_model.embeddings.class_embedding" -> "visual.class_embedding";
        case "vision_model.embeddings.position_embedding.weight" -> "visual.positional_embedding";
        // "pre_layrnorm" is Hugging Face's own spelling.
        case "vision_model.pre_layrnorm.weight" -> "visual.ln_pre.weight";
        case "vision_model.pre_layrnorm.bias" -> "visual.ln_pre.bias";
        case "vision_model.post_layernorm.weight" -> "visual.ln_post.weight";
        case "vision_model.post_layernorm.bias" -> "visual.ln_post.bias";
        case "text_model.embeddings.token_embedding.weight" -> "token_embedding.weight";
        case "text_model.embeddings.position_embedding.weight" -> "positional_embedding";
        case "text_model.final_layer_norm.weight" -> "ln_final.weight";
        case "text_model.final_layer_norm.bias" -> "ln_final.bias";
        case "logit_scale" -> "logit_scale";
        default -> null;
      };
      if (target != null) {
        map.put(target, Source.of(full));
      } else if (name.equals("visual_projection.weight")) {
        // HF stores the projections as Linear weights [E, W]; OpenAI multiplies by [W, E].
        map.put("visual.proj", new Source(List.of(full), true));
      } else if (name.equals("text_projection.weight")) {
        map.put("text_projection", new Source(List.of(full), true));
      }
    }
    return map;
  }

  /** Layer indices present under {@code prefix + "N."}, for counting blocks. */
  static int countLayers(Set<String> openAiNames, String layerPrefix) {
    List<Integer> seen = new ArrayList<>();
    for (String n : openAiNames) {
      if (n.startsWith(layerPrefix)) {
        String rest = n.substring(layerPrefix.length());
        int dot = rest.indexOf('.');
        if (dot > 0) {
          try {
            int idx = Integer.parseInt(rest.substring(0, dot));
            if (!seen.contains(idx)) {
              seen.add(idx);
            }
          } catch (NumberFormatException ignored) {
            // not a layer index
          }
        }
      }
    }
    return seen.size();
  }
}

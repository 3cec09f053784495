package org.ovss.plugins.groupvit;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GroupViT's official state-dict layout: every tensor's name and shape for a config, and which are BatchNorm state. */
public final class GroupVitStateDict {
  private GroupVitStateDict() {}

  /** Names of the BatchNorm running statistics: state that no gradient reaches. */
  public static boolean isRunningStatistic(String name) {
    return name.endsWith(".running_mean") || name.endsWith(".running_var");
  }

  /**
   * The official state-dict names and shapes of a model of this config ({@code num_batches_tracked} aside),
   * image encoder, projectors, text encoder, temperatures.
   */
  public static Map<String, Shape> stateShapes(GroupVitConfig c) {
    Map<String, Shape> s = new LinkedHashMap<>();
    long e = c.embedDim();
    int p = c.patchSize();
    s.put("img_encoder.patch_embed.proj.weight", new Shape(e, 3, p, p));
    s.put("img_encoder.patch_embed.proj.bias", new Shape(e));
    layerNormShapes(s, "img_encoder.patch_embed.norm", e);
    s.put("img_encoder.pos_embed", new Shape(1, (long) c.gridSize() * c.gridSize(), e));
    for (int i = 0; i < c.stages(); i++) {
      String layer = "img_encoder.layers." + i;
      int groups = c.numGroupTokens().get(i);
      if (groups > 0) {
        s.put(layer + ".group_token", new Shape(1, groups, e));
      }
      for (int j = 0; j < c.depths().get(i); j++) {
        String b = layer + ".blocks." + j;
        layerNormShapes(s, b + ".norm1", e);
        linearShapes(s, b + ".attn.qkv", e, 3 * e, true);
        linearShapes(s, b + ".attn.proj", e, e, true);
        layerNormShapes(s, b + ".norm2", e);
        mlpShapes(s, b + ".mlp", e, c.mlpHidden(), e);
      }
      if (i < c.stages() - 1) {
        String d = layer + ".downsample";
        layerNormShapes(s, d + ".norm_tokens", e);
        // tokens_dim, channels_dim = int(0.5 * dim), int(4.0 * dim) (GroupingBlock mlp_ratio=(0.5, 4.0))
        mlpShapes(s, d + ".mlp_inter", groups, (long) (0.5 * e), c.numOutputGroups().get(i));
        layerNormShapes(s, d + ".norm_post_tokens", e);
        layerNormShapes(s, d + ".norm_x", e);
        for (String proj : List.of("q_proj", "k_proj", "v_proj", "proj")) {
          linearShapes(s, d + ".pre_assign_attn.attn." + proj, e, e, true);
        }
        layerNormShapes(s, d + ".pre_assign_attn.norm2", e);
        mlpShapes(s, d + ".pre_assign_attn.mlp", e, 4 * e, e);
        layerNormShapes(s, d + ".pre_assign_attn.norm_post", e);
        for (String proj : List.of("q_proj", "k_proj", "v_proj", "proj")) {
          linearShapes(s, d + ".assign." + proj, e, e, true);
        }
        layerNormShapes(s, d + ".norm_new_x", e);
        mlpShapes(s, d + ".mlp_channels", e, (long) (4.0 * e), e);
      }
      if (i > 0 && groups > 0) {
        String g = layer + ".group_projector";
        layerNormShapes(s, g + ".0", e);
        mlpShapes(s, g + ".1", c.numGroupTokens().get(i - 1), e / 2, groups);
      }
    }
    layerNormShapes(s, "img_encoder.norm", e);
    projectorShapes(s, "img_projector", c, e);
    long w = c.textWidth();
    s.put("text_encoder.positional_embedding", new Shape(c.contextLength(), w));
    s.put("text_encoder.token_embedding.weight", new Shape(c.vocabSize(), w));
    for (int j = 0; j < c.textLayers(); j++) {
      String b = "text_encoder.transformer.resblocks." + j;
      s.put(b + ".attn.in_proj_weight", new Shape(3 * w, w));
      s.put(b + ".attn.in_proj_bias", new Shape(3 * w));
      linearShapes(s, b + ".attn.out_proj", w, w, true);
      layerNormShapes(s, b + ".ln_1", w);
      linearShapes(s, b + ".mlp.c_fc", w, 4 * w, true);
      linearShapes(s, b + ".mlp.c_proj", 4 * w, w, true);
      layerNormShapes(s, b + ".ln_2", w);
    }
    layerNormShapes(s, "text_encoder.ln_final", w);
    projectorShapes(s, "text_projector", c, w);
    s.put("logit_scale", new Shape());
    if (c.hasMultiLabelScale()) {
      s.put("multi_label_logit_scale", new Shape());
    }
    return s;
  }

  /** Names of the BatchNorm layers' {@code num_batches_tracked} counters. */
  public static List<String> batchCounterNames(GroupVitConfig c) {
    List<String> names = new ArrayList<>();
    for (String head : List.of("img_projector", "text_projector")) {
      for (int k = 0; k < c.projNumLayers() - 1; k++) {
        names.add(head + ".linear_hidden." + (3 * k + 1) + ".num_batches_tracked");
      }
    }
    return names;
  }

  private static void projectorShapes(Map<String, Shape> s, String prefix, GroupVitConfig c, long in) {
    int layers = c.projNumLayers();
    if (layers == 0) {
      return;
    }
    long inner = c.projInnerDim();
    for (int k = 0; k < layers - 1; k++) {
      String conv = prefix + ".linear_hidden." + (3 * k);
      s.put(conv + ".weight", new Shape(inner, k == 0 ? in : inner, 1));
      s.put(conv + ".bias", new Shape(inner));
      String bn = prefix + ".linear_hidden." + (3 * k + 1);
      s.put(bn + ".weight", new Shape(inner));
      s.put(bn + ".bias", new Shape(inner));
      s.put(bn + ".running_mean", new Shape(inner));
      s.put(bn + ".running_var", new Shape(inner));
    }
    s.put(prefix + ".linear_out.weight", new Shape(c.outputDim(), layers == 1 ? in : inner, 1));
    s.put(prefix + ".linear_out.bias", new Shape(c.outputDim()));
  }

  private static void layerNormShapes(Map<String, Shape> s, String prefix, long width) {
    s.put(prefix + ".weight", new Shape(width));
    s.put(prefix + ".bias", new Shape(width));
  }

  private static void linearShapes(Map<String, Shape> s, String prefix, long in, long out, boolean bias) {
    s.put(prefix + ".weight", new Shape(out, in));
    if (bias) {
      s.put(prefix + ".bias", new Shape(out));
    }
  }

  private static void mlpShapes(Map<String, Shape> s, String prefix, long in, long hidden, long out) {
    linearShapes(s, prefix + ".fc1", in, hidden, true);
    linearShapes(s, prefix + ".fc2", hidden, out, true);
  }
}

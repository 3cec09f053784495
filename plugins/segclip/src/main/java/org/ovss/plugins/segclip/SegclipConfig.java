package org.ovss.plugins.segclip;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Architecture of a SegCLIP model, every size read from the weights' shapes (or chosen when a model is
 * built from CLIP weights), never fixed in code.
 *
 * @param embedDim joint embedding size (the image {@code proj} and {@code text_projection} columns)
 * @param imageResolution native input side: patch size x the positional-embedding grid
 * @param patchSize side of a patch (the {@code conv1} kernel)
 * @param visionWidth width of the image transformer
 * @param visionHeads attention heads of every image-side block (official: width / 64)
 * @param groups groups of the grouped 1x1 k/v convolutions of the semantic module (official: the head count)
 * @param firstStageLayers CLIP blocks on the patch tokens ({@code layers0}, official 10)
 * @param laterLayers CLIP blocks on the region tokens ({@code layers2}, official 2)
 * @param centers learnable semantic centers ({@code semantic_center} rows, official 8)
 * @param crossLayers cross-attention blocks of the semantic module (official 2)
 * @param maeLayers blocks of the masked-reconstruction branch ({@code layers_mae2}); 0 when absent
 * @param contextLength text positions
 * @param vocabSize token-embedding rows
 * @param textWidth width of the text transformer
 * @param textHeads attention heads of the text transformer (official: width / 64)
 * @param textLayers text blocks
 * @param decoderDim width of the MAE decoder ({@code vis_mae_decoder}); 0 when the weights have none
 * @param decoderDepth blocks of the MAE decoder
 * @param decoderHeads attention heads of the MAE decoder (official 8)
 */
public record SegclipConfig(
    int embedDim,
    int imageResolution,
    int patchSize,
    int visionWidth,
    int visionHeads,
    int groups,
    int firstStageLayers,
    int laterLayers,
    int centers,
    int crossLayers,
    int maeLayers,
    int contextLength,
    int vocabSize,
    int textWidth,
    int textHeads,
    int textLayers,
    int decoderDim,
    int decoderDepth,
    int decoderHeads) {

  /** Prefix of the image-text model in the official state dict. */
  static final String CLIP = "clip.";
  static final String VISUAL = "clip.visual.";
  static final String BLOCKS = "clip.visual.transformer.";
  static final String SEMANTIC = BLOCKS + "semantic_layer2.";
  static final String RECONSTRUCT = BLOCKS + "reconstruct_layer2.rec_proj_a.a_fc.";
  static final String DECODER = "vis_mae_decoder.";

  public SegclipConfig {
    check(embedDim > 0 && patchSize > 0 && visionWidth > 0 && textWidth > 0 && contextLength > 1 && vocabSize > 0,
        "sizes must be positive");
    check(imageResolution % patchSize == 0, "image size " + imageResolution + " is not a multiple of the patch " + patchSize);
    check(visionHeads > 0 && visionWidth % visionHeads == 0,
        "vision width " + visionWidth + " is not divisible by " + visionHeads + " heads");
    check(groups > 0 && visionWidth % groups == 0, "vision width " + visionWidth + " is not divisible by " + groups + " groups");
    check(textHeads > 0 && textWidth % textHeads == 0, "text width " + textWidth + " is not divisible by " + textHeads + " heads");
    check(firstStageLayers >= 0 && laterLayers >= 0 && maeLayers >= 0 && crossLayers >= 0 && textLayers >= 0,
        "layer counts must not be negative");
    check(centers > 0, "needs at least one semantic center");
    check(decoderDim == 0 || (decoderDepth >= 0 && decoderHeads > 0 && decoderDim % decoderHeads == 0),
        "MAE decoder width " + decoderDim + " is not divisible by " + decoderHeads + " heads");
    check(decoderDim % 4 == 0, "MAE decoder width " + decoderDim + " must be a multiple of 4 (2-D sin-cos positions)");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid SegCLIP architecture: " + message);
    }
  }

  /** Patches per side at the native resolution. */
  public int gridSize() {
    return imageResolution / patchSize;
  }

  /** Patches of a native-resolution image. */
  public int patches() {
    return gridSize() * gridSize();
  }

  /** Whether the weights can train the masked-reconstruction loss (layers_mae2, reconstruct layer, MAE decoder). */
  public boolean hasReconstruction() {
    return decoderDim > 0 && maeLayers > 0;
  }

  /** Every tensor of the architecture under its official name, in a stable order. */
  public Map<String, Shape> shapes() {
    Map<String, Shape> s = new LinkedHashMap<>();
    int w = visionWidth;
    s.put(VISUAL + "conv1.weight", new Shape(w, 3, patchSize, patchSize));
    s.put(VISUAL + "class_embedding", new Shape(w));
    s.put(VISUAL + "positional_embedding", new Shape(patches() + 1, w));
    layerNorm(s, VISUAL + "ln_pre.", w);
    for (int i = 0; i < firstStageLayers; i++) {
      block(s, BLOCKS + "layers0." + i + ".", w);
    }
    layerNorm(s, SEMANTIC + "norm.", w);
    s.put(SEMANTIC + "semantic_center", new Shape(centers, w));
    for (int t = 0; t < crossLayers; t++) {
      String c = SEMANTIC + "cross_att." + t + ".";
      attention(s, c + "attn.", w);
      layerNorm(s, c + "ln_x.", w);
      layerNorm(s, c + "ln_k.", w);
      linear(s, c + "mlp.c_fc.", w, 4 * w);
      linear(s, c + "mlp.c_proj.", 4 * w, w);
      layerNorm(s, c + "ln_2.", w);
    }
    layerNorm(s, SEMANTIC + "cross_ln.", w);
    s.put(SEMANTIC + "k_conv.weight", new Shape(w, w / groups, 1));
    layerNorm(s, SEMANTIC + "k_ln.", w);
    s.put(SEMANTIC + "v_conv.weight", new Shape(w, w / groups, 1));
    layerNorm(s, SEMANTIC + "proj_o.ln.", w);
    linear(s, SEMANTIC + "proj_o.mlp.fc1.", w, 4 * w);
    linear(s, SEMANTIC + "proj_o.mlp.fc2.", 4 * w, w);
    for (int i = 0; i < laterLayers; i++) {
      block(s, BLOCKS + "layers2." + i + ".", w);
    }
    for (int i = 0; i < maeLayers; i++) {
      block(s, BLOCKS + "layers_mae2." + i + ".", w);
    }
    if (maeLayers > 0) {
      linear(s, RECONSTRUCT, centers, centers);
    }
    layerNorm(s, VISUAL + "ln_post.", w);
    s.put(VISUAL + "proj", new Shape(w, embedDim));
    s.put(CLIP + "token_embedding.weight", new Shape(vocabSize, textWidth));
    s.put(CLIP + "positional_embedding", new Shape(contextLength, textWidth));
    for (int i = 0; i < textLayers; i++) {
      block(s, CLIP + "transformer.resblocks." + i + ".", textWidth);
    }
    layerNorm(s, CLIP + "ln_final.", textWidth);
    s.put(CLIP + "text_projection", new Shape(textWidth, embedDim));
    s.put(CLIP + "logit_scale", new Shape());
    if (decoderDim > 0) {
      int d = decoderDim;
      linear(s, DECODER + "decoder_embed.", w, d);
      s.put(DECODER + "mask_token", new Shape(1, 1, d));
      s.put(DECODER + "decoder_pos_embed", new Shape(1, patches() + 1, d));
      for (int i = 0; i < decoderDepth; i++) {
        String b = DECODER + "decoder_blocks." + i + ".";
        layerNorm(s, b + "norm1.", d);
        linear(s, b + "attn.qkv.", d, 3 * d);
        linear(s, b + "attn.proj.", d, d);
        layerNorm(s, b + "norm2.", d);
        linear(s, b + "mlp.fc1.", d, 4 * d);
        linear(s, b + "mlp.fc2.", 4 * d, d);
      }
      layerNorm(s, DECODER + "decoder_norm.", d);
      linear(s, DECODER + "decoder_pred.", d, patchSize * patchSize * 3);
    }
    return s;
  }

  private static void block(Map<String, Shape> s, String prefix, int w) {
    attention(s, prefix + "attn.", w);
    layerNorm(s, prefix + "ln_1.", w);
    linear(s, prefix + "mlp.c_fc.", w, 4 * w);
    linear(s, prefix + "mlp.c_proj.", 4 * w, w);
    layerNorm(s, prefix + "ln_2.", w);
  }

  private static void attention(Map<String, Shape> s, String prefix, int w) {
    s.put(prefix + "in_proj_weight", new Shape(3L * w, w));
    s.put(prefix + "in_proj_bias", new Shape(3L * w));
    linear(s, prefix + "out_proj.", w, w);
  }

  private static void layerNorm(Map<String, Shape> s, String prefix, int w) {
    s.put(prefix + "weight", new Shape(w));
    s.put(prefix + "bias", new Shape(w));
  }

  private static void linear(Map<String, Shape> s, String prefix, int in, int out) {
    s.put(prefix + "weight", new Shape(out, in));
    s.put(prefix + "bias", new Shape(out));
  }

  /** The architecture as the small JSON object written beside exported weights. */
  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("embed", embedDim);
    j.put("res", imageResolution);
    j.put("patch", patchSize);
    j.put("width", visionWidth);
    j.put("vision_heads", visionHeads);
    j.put("groups", groups);
    j.put("first", firstStageLayers);
    j.put("later", laterLayers);
    j.put("centers", centers);
    j.put("cross_layers", crossLayers);
    j.put("mae_layers", maeLayers);
    j.put("context", contextLength);
    j.put("vocab", vocabSize);
    j.put("twidth", textWidth);
    j.put("text_heads", textHeads);
    j.put("tlayers", textLayers);
    j.put("decoder_dim", decoderDim);
    j.put("decoder_depth", decoderDepth);
    j.put("decoder_heads", decoderHeads);
    return j;
  }
}

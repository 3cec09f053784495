package org.ovss.clip.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.ovss.api.Execution.Precision;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.onnx.OnnxGraph.Attr;

/**
 * ONNX models of a loaded CLIP's towers, built from its state dict with the same maths as {@code
 * VisionTransformer.forwardTokens} and {@code TextTransformer.forward}:
 *
 * <ul>
 *   <li>image: input {@code images} float [batch, 3, H, W] for one H x W, output {@code tokens} [batch, 1 + (H/p)(W/p),
 *       E] (ln_post and proj of every token, CLS first), the last block in the given {@link AttentionMode} and the
 *       positional embeddings interpolated for the grid (bicubic, SCLIP's scale factor) as constants;
 *   <li>text: input {@code ids} int32 [batch, context], output {@code embeddings} [batch, E] (the end-of-text
 *       token, the first largest id, through ln_final and text_projection).
 * </ul>
 *
 * <p>With {@link Precision#INT8} every transformer-block linear layer holds int8 weights quantised symmetrically per
 * output channel (scale max|w| / 127) and quantises its input at run time (DynamicQuantizeLinear, MatMulInteger,
 * then the two scales: the pattern ONNX Runtime fuses into its DynamicQuantizeMatMul kernel). The patch embedding,
 * the embeddings and the final projections stay fp32.
 */
public final class ClipOnnxExport {
  /** Bumped whenever the graphs change, so that cached files of an older exporter are not reused. */
  public static final int VERSION = 1;

  private static final float LN_EPS = 1e-5f;

  private final ClipModel model;
  private final Map<String, NamedParameter> stateDict;
  private final Precision precision;
  private OnnxGraph g;

  public ClipOnnxExport(ClipModel model, Precision precision) {
    this.model = model;
    this.stateDict = model.stateDict();
    this.precision = precision;
  }

  /** Writes the image tower for [*, 3, height, width] inputs. */
  public void writeImage(AttentionMode lastBlock, int height, int width, OutputStream out) throws IOException {
    ClipConfig c = model.config();
    int p = c.patchSize();
    if (height < p || width < p) {
      throw new IllegalArgumentException("image " + height + "x" + width + " is smaller than the patch size " + p);
    }
    int gh = height / p;
    int gw = width / p;
    long w = c.visionWidth();
    g = new OnnxGraph("clip_image_" + lastBlock.name().toLowerCase() + "_" + height + "x" + width);
    String images = g.input("images", OnnxGraph.FLOAT, "batch", 3L, (long) height, (long) width);
    String conv = g.node("Conv", List.of(images, param("visual.conv1.weight")),
        Attr.ints("kernel_shape", p, p), Attr.ints("strides", p, p)); // [B, W, gh, gw]
    String patches = transpose(g.node("Reshape", List.of(conv, g.int64s("shape", 0, w, -1))), 0, 2, 1); // [B, gh*gw, W]
    String batch = g.node("Shape", List.of(images), Attr.of("start", 0L), Attr.of("end", 1L)); // [1]
    String clsShape = g.node("Concat", List.of(batch, g.int64s("cls_dims", 1, w)), Attr.of("axis", 0L));
    String cls = g.node("Expand", List.of(g.floats("class_embedding", values("visual.class_embedding"), 1, 1, w), clsShape));
    String x = g.node("Concat", List.of(cls, patches), Attr.of("axis", 1L)); // [B, 1 + gh*gw, W]
    float[] pos = model.visual().positionalEmbedding(gh, gw);
    x = g.node("Add", List.of(x, g.floats("positional_embedding", pos, 1L + (long) gh * gw, w)));
    x = layerNorm(x, "visual.ln_pre.");
    for (int i = 0; i < c.visionLayers(); i++) {
      AttentionMode mode = i == c.visionLayers() - 1 ? lastBlock : AttentionMode.VANILLA;
      x = block(x, "visual.transformer.resblocks." + i + ".", c.visionWidth(), c.visionHeads(), mode, null);
    }
    x = layerNorm(x, "visual.ln_post.");
    x = g.node("MatMul", List.of(x, param("visual.proj")));
    g.output(x, "tokens", OnnxGraph.FLOAT, "batch", 1L + (long) gh * gw, (long) c.embedDim());
    g.writeTo(out, "clip-image/" + VERSION);
  }

  /** Writes the text tower for int32 token ids [*, context length]. */
  public void writeText(OutputStream out) throws IOException {
    ClipConfig c = model.config();
    long len = c.contextLength();
    long w = c.textWidth();
    g = new OnnxGraph("clip_text_" + len);
    String ids = g.input("ids", OnnxGraph.INT32, "batch", len);
    String x = g.node("Gather", List.of(param("token_embedding.weight"), ids)); // [B, L, W]
    x = g.node("Add", List.of(x, param("positional_embedding")));
    float[] mask = new float[(int) (len * len)];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        mask[(int) (i * len + j)] = Float.NEGATIVE_INFINITY;
      }
    }
    String maskName = g.floats("causal_mask", mask, len, len);
    for (int i = 0; i < c.textLayers(); i++) {
      x = block(x, "transformer.resblocks." + i + ".", c.textWidth(), c.textHeads(), AttentionMode.VANILLA, maskName);
    }
    x = layerNorm(x, "ln_final.");
    String eot = g.node("ArgMax", List.of(ids), Attr.of("axis", 1L), Attr.of("keepdims", 1L)); // [B, 1]
    String feature = g.node("GatherND", List.of(x, eot), Attr.of("batch_dims", 1L)); // [B, W]
    String emb = g.node("MatMul", List.of(feature, param("text_projection")));
    g.output(emb, "embeddings", OnnxGraph.FLOAT, "batch", (long) c.embedDim());
    g.writeTo(out, "clip-text/" + VERSION);
  }

  /** x + attn(ln_1 x), then + mlp(ln_2 x), as ResidualAttentionBlock. */
  private String block(String x, String prefix, int width, int heads, AttentionMode mode, String mask) {
    String h = layerNorm(x, prefix + "ln_1.");
    float[] inW = values(prefix + "attn.in_proj_weight"); // [3W, W]
    float[] inB = values(prefix + "attn.in_proj_bias");
    String attended;
    if (mode == AttentionMode.IDENTITY) {
      // out_proj(v): only the value third of in_proj is needed
      float[] vw = java.util.Arrays.copyOfRange(inW, 2 * width * width, 3 * width * width);
      float[] vb = java.util.Arrays.copyOfRange(inB, 2 * width, 3 * width);
      attended = linear(linear(h, vw, vb, width, width, prefix + "v"), prefix + "attn.out_proj.", width, width);
    } else {
      String qkv = linear(h, inW, inB, 3 * width, width, prefix + "in_proj");
      String[] parts = g.nodeMulti("Split", "", List.of(qkv, g.int64s("split", width, width, width)), 3,
          Attr.of("axis", -1L));
      long headDim = width / heads;
      String scale = g.scalar("scale", (float) (1.0 / Math.sqrt(headDim)));
      String qHeads = splitHeads(parts[0], heads, headDim); // [B, L, H, hd]
      String kHeads = splitHeads(parts[1], heads, headDim);
      String q = transpose(qHeads, 0, 2, 1, 3); // [B, H, L, hd]
      String k = transpose(kHeads, 0, 2, 1, 3);
      String kT = transpose(kHeads, 0, 2, 3, 1); // [B, H, hd, L]
      String v = transpose(splitHeads(parts[2], heads, headDim), 0, 2, 1, 3);
      String weights;
      if (mode == AttentionMode.CSA) {
        String qq = g.node("Mul", List.of(g.node("MatMul", List.of(q, transpose(qHeads, 0, 2, 3, 1))), scale));
        String kk = g.node("Mul", List.of(g.node("MatMul", List.of(k, kT)), scale));
        weights = g.node("Add", List.of(softmax(qq), softmax(kk)));
      } else {
        String scores = g.node("MatMul", List.of(g.node("Mul", List.of(q, scale)), kT));
        if (mask != null) {
          scores = g.node("Add", List.of(scores, mask));
        }
        weights = softmax(scores);
      }
      String o = transpose(g.node("MatMul", List.of(weights, v)), 0, 2, 1, 3);
      o = g.node("Reshape", List.of(o, g.int64s("shape", 0, 0, width))); // [B, L, W]
      attended = linear(o, prefix + "attn.out_proj.", width, width);
    }
    String y = g.node("Add", List.of(x, attended));
    String m = linear(layerNorm(y, prefix + "ln_2."), prefix + "mlp.c_fc.", 4 * width, width);
    String gelu = g.node("Mul", List.of(m, g.node("Sigmoid", List.of(g.node("Mul", List.of(m, g.scalar("gelu", 1.702f)))))));
    return g.node("Add", List.of(y, linear(gelu, prefix + "mlp.c_proj.", width, 4 * width)));
  }

  /** [B, L, W] as [B, L, H, hd]. */
  private String splitHeads(String x, int heads, long headDim) {
    return g.node("Reshape", List.of(x, g.int64s("shape", 0, 0, heads, headDim)));
  }

  private String transpose(String x, long... perm) {
    return g.node("Transpose", List.of(x), Attr.ints("perm", perm));
  }

  private String softmax(String x) {
    return g.node("Softmax", List.of(x), Attr.of("axis", -1L));
  }

  private String layerNorm(String x, String prefix) {
    return g.node("LayerNormalization", List.of(x, param(prefix + "weight"), param(prefix + "bias")),
        Attr.of("axis", -1L), Attr.of("epsilon", LN_EPS));
  }

  private String linear(String x, String prefix, int out, int in) {
    return linear(x, values(prefix + "weight"), values(prefix + "bias"), out, in, prefix);
  }

  /** x W^T + b for a PyTorch-layout weight [out, in]: fp32 MatMul, or int8 as the class comment says. */
  private String linear(String x, float[] weight, float[] bias, int out, int in, String hint) {
    String b = g.floats(hint + "bias", bias, out);
    if (precision == Precision.FP32) {
      return g.node("Add", List.of(g.node("MatMul", List.of(x, g.floats(hint + "weight_t", transpose(weight, out, in), in, out))), b));
    }
    Int8Weights q = Int8Weights.quantize(weight, out, in);
    String[] dq = g.nodeMulti("DynamicQuantizeLinear", "", List.of(x), 3); // uint8 x, scale, zero point
    String wq = g.int8s(hint + "weight_q", q.transposed(), in, out);
    String wZero = g.int8s(hint + "weight_zero", new byte[out], out);
    String acc = g.node("MatMulInteger", List.of(dq[0], wq, dq[2], wZero)); // int32 [.., out]
    String asFloat = g.node("Cast", List.of(acc), Attr.of("to", (long) OnnxGraph.FLOAT));
    String scales = g.node("Mul", List.of(dq[1], g.floats(hint + "weight_scale", q.scales(), out)));
    return g.node("Add", List.of(g.node("Mul", List.of(asFloat, scales)), b));
  }

  private String param(String name) {
    NamedParameter p = stateDict.get(name);
    if (p == null) {
      throw new IllegalStateException("the model has no parameter " + name);
    }
    return g.floats(name, values(name), p.shape().getShape());
  }

  private float[] values(String name) {
    NamedParameter p = stateDict.get(name);
    if (p == null) {
      throw new IllegalStateException("the model has no parameter " + name);
    }
    return p.parameter().getArray().toFloatArray();
  }

  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }
}

package org.ovss.clip.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.io.TensorInfo;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;

/**
 * Loads CLIP weights from safetensors (OpenAI / open_clip or Hugging Face names, detected) or an OpenAI
 * TorchScript archive, reading the architecture from the tensor shapes as OpenAI's {@code build_model}.
 */
public final class ClipWeights {

  /** Head counts, which tensor shapes cannot tell; empty means "from config.json, else width / 64". */
  public record Heads(OptionalInt vision, OptionalInt text) {
    public static final Heads DEFAULT = new Heads(OptionalInt.empty(), OptionalInt.empty());
  }

  private ClipWeights() {}

  /** Loads the model; the returned parameters live in {@code manager}. */
  public static ClipModel load(Path file, NDManager manager, Heads heads) {
    try (TensorFile tensors = TensorFile.open(file)) {
      Set<String> names = new LinkedHashSet<>(tensors.names());
      ClipNaming.Detected detected = ClipNaming.detect(names).orElseThrow(() -> new WeightsException(
          "weights file " + file + " is not a CLIP checkpoint: found neither 'visual.conv1.weight' (OpenAI names) nor"
              + " 'vision_model.embeddings.patch_embedding.weight' (Hugging Face names) among its " + names.size() + " tensors"));
      Map<String, ClipNaming.Source> sources = detected.naming().toOpenAi(names, detected.prefix());
      Heads resolved = resolveHeads(file, tensors.metadata(), heads);
      ClipConfig config = inferConfig(file, tensors, sources, resolved);
      ClipModel model = new ClipModel(config);
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, NamedParameter> e : model.stateDict().entrySet()) {
        ClipNaming.Source source = sources.get(e.getKey());
        if (source == null) {
          missing.add(e.getKey());
          continue;
        }
        Shape want = e.getValue().shape();
        ClipModel.set(e.getValue().parameter(), manager.create(read(file, tensors, source, e.getKey(), want), want,
            DataType.FLOAT32));
      }
      if (!missing.isEmpty()) {
        throw new WeightsException("weights file " + file + " (" + detected.naming() + " names) lacks tensors the "
            + "architecture needs: " + String.join(", ", missing));
      }
      return model;
    }
  }

  /** Reads the architecture from the shapes (OpenAI {@code build_model}). */
  static ClipConfig inferConfig(Path file, TensorFile tensors, Map<String, ClipNaming.Source> sources, Heads heads) {
    long[] conv = shape(file, tensors, sources, "visual.conv1.weight");
    long[] visPos = shape(file, tensors, sources, "visual.positional_embedding");
    long[] textProj = shape(file, tensors, sources, "text_projection");
    long[] textPos = shape(file, tensors, sources, "positional_embedding");
    long[] tokens = shape(file, tensors, sources, "token_embedding.weight");
    long[] lnFinal = shape(file, tensors, sources, "ln_final.weight");
    int visionWidth = (int) conv[0];
    int patch = (int) conv[conv.length - 1];
    int grid = (int) Math.round(Math.sqrt(visPos[0] - 1));
    if ((long) grid * grid + 1 != visPos[0]) {
      throw new WeightsException("weights file " + file + ": visual positional embedding has " + visPos[0]
          + " rows, which is not 1 + a square number of patches");
    }
    int textWidth = (int) lnFinal[0];
    Set<String> names = sources.keySet();
    int visionLayers = ClipNaming.countLayers(names, "visual.transformer.resblocks.");
    int textLayers = ClipNaming.countLayers(names, "transformer.resblocks.");
    try {
      return new ClipConfig(
          (int) textProj[textProj.length - 1], patch * grid, visionLayers, visionWidth,
          heads.vision().orElse(ClipConfig.defaultHeads(visionWidth)), patch, (int) textPos[0], (int) tokens[0],
          textWidth, heads.text().orElse(ClipConfig.defaultHeads(textWidth)), textLayers);
    } catch (IllegalArgumentException e) {
      throw new WeightsException("weights file " + file + ": " + e.getMessage());
    }
  }

  private static long[] shape(Path file, TensorFile tensors, Map<String, ClipNaming.Source> sources, String name) {
    ClipNaming.Source s = sources.get(name);
    if (s == null) {
      throw new WeightsException("weights file " + file + " lacks tensor '" + name + "' needed to read the architecture");
    }
    long[] first = tensors.info(s.parts().get(0)).shape().clone();
    first[0] *= s.parts().size();
    if (s.transpose() && first.length == 2) {
      return new long[] {first[1], first[0]};
    }
    return first;
  }

  /**
   * The tensor as float32 in a direct buffer in native order, which the parameter then uses as its storage: a 600 MB
   * checkpoint passes through no array on the Java heap (as arrays, a ViT-B/16's tensors made G1 grow the heap by
   * several hundred MB that stayed resident).
   */
  private static ByteBuffer read(Path file, TensorFile tensors, ClipNaming.Source source, String target, Shape want) {
    long rows = 0;
    long[] partShape = null;
    for (String part : source.parts()) {
      TensorInfo info = tensors.info(part);
      if (partShape != null && !Arrays.equals(partShape, info.shape())) {
        throw new WeightsException("weights file " + file + ": tensor '" + part + "' has shape " + Arrays.toString(info.shape())
            + " unlike its sibling " + Arrays.toString(partShape));
      }
      partShape = info.shape();
      rows += partShape.length == 0 ? 1 : partShape[0];
    }
    long[] got = partShape.clone();
    if (got.length > 0) {
      got[0] = rows;
    }
    if (source.transpose()) {
      got = new long[] {got[1], got[0]};
    }
    // A scalar is stored as [] by some exporters and [1] by others (logit_scale).
    boolean scalar = want.size() == 1 && new Shape(got).size() == 1;
    if (!scalar && !new Shape(got).equals(want)) {
      throw new WeightsException("weights file " + file + ": tensor '" + String.join("+", source.parts()) + "' has shape "
          + Arrays.toString(got) + " but the architecture needs " + want + " for '" + target + "'");
    }
    ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(want.size() * Float.BYTES)).order(ByteOrder.nativeOrder());
    FloatBuffer all = bytes.asFloatBuffer();
    for (String part : source.parts()) {
      int start = all.position();
      tensors.readFloats(part, all);
      int n = Math.toIntExact(tensors.info(part).numel());
      for (int i = 0; i < n; i++) {
        float v = all.get(start + i);
        if (!Float.isFinite(v)) {
          throw new WeightsException("weights file " + file + ": tensor '" + part + "' holds a non-finite value ("
              + v + ") at flat index " + i);
        }
      }
      all.position(start + n);
    }
    return source.transpose() ? transpose(all.flip(), (int) want.get(1), (int) want.get(0)) : bytes;
  }

  /** Transposes a row-major [rows, cols] matrix into a new direct buffer. */
  private static ByteBuffer transpose(FloatBuffer m, int rows, int cols) {
    ByteBuffer bytes = ByteBuffer.allocateDirect(m.limit() * Float.BYTES).order(ByteOrder.nativeOrder());
    FloatBuffer t = bytes.asFloatBuffer();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t.put(c * rows + r, m.get(r * cols + c));
      }
    }
    return bytes;
  }

  /**
   * Head counts: explicit values win, then the file's own metadata (written by {@link #save}), then a
   * {@code config.json} beside the weights (this project's {@code vision_heads} / {@code text_heads}, or
   * Hugging Face's {@code vision_config.num_attention_heads}).
   */
  static Heads resolveHeads(Path weights, Map<String, String> metadata, Heads explicit) {
    OptionalInt vision = explicit.vision().isPresent() ? explicit.vision() : metadataInt(weights, metadata, "vision_heads");
    OptionalInt text = explicit.text().isPresent() ? explicit.text() : metadataInt(weights, metadata, "text_heads");
    if (vision.isPresent() && text.isPresent()) {
      return new Heads(vision, text);
    }
    Optional<JsonNode> json = readConfig(weights);
    if (json.isPresent()) {
      JsonNode j = json.get();
      if (vision.isEmpty()) {
        vision = intAt(j, "vision_heads", "/vision_config/num_attention_heads");
      }
      if (text.isEmpty()) {
        text = intAt(j, "text_heads", "/text_config/num_attention_heads");
      }
    }
    return new Heads(vision, text);
  }

  private static OptionalInt metadataInt(Path file, Map<String, String> metadata, String key) {
    String v = metadata.get(key);
    if (v == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(v.strip()));
    } catch (NumberFormatException e) {
      throw new WeightsException("weights file " + file + ": metadata '" + key + "' is not an integer: " + v);
    }
  }

  private static OptionalInt intAt(JsonNode j, String field, String pointer) {
    JsonNode n = j.has(field) ? j.get(field) : j.at(pointer);
    return n.isInt() ? OptionalInt.of(n.asInt()) : OptionalInt.empty();
  }

  private static Optional<JsonNode> readConfig(Path weights) {
    Path dir = weights.toAbsolutePath().getParent();
    Path config = dir == null ? null : dir.resolve("config.json");
    if (config == null || !Files.isRegularFile(config)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ObjectMapper().readTree(config.toFile()));
    } catch (IOException e) {
      throw new WeightsException("cannot read model config " + config + ": " + e.getMessage());
    }
  }

  /** Writes the model as float32 safetensors under OpenAI names, with the head counts as metadata. */
  public static void save(ClipModel model, Path file, Map<String, String> metadata) {
    List<SafetensorsWriter.Tensor> out = new ArrayList<>();
    for (Map.Entry<String, NamedParameter> e : model.stateDict().entrySet()) {
      out.add(SafetensorsWriter.Tensor.ofFloats(
          e.getKey(), e.getValue().shape().getShape(), e.getValue().parameter().getArray().toFloatArray()));
    }
    Map<String, String> meta = new java.util.LinkedHashMap<>(metadata);
    meta.put("vision_heads", Integer.toString(model.config().visionHeads()));
    meta.put("text_heads", Integer.toString(model.config().textHeads()));
    meta.put("format", "openai-clip");
    SafetensorsWriter.write(file, out, meta);
  }
}

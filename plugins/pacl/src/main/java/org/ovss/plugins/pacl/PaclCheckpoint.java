package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.io.TensorInfo;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.weights.ClipWeights;

/**
 * A PACL checkpoint: one safetensors file holding the frozen CLIP under {@code clip.} + its OpenAI names
 * and the embedder under {@code embedder.*}, with the {@link PaclConfig} and the CLIP head counts as
 * metadata. One file, so that the weights hash a result records covers the CLIP the embedder belongs to;
 * clip-core's {@code ClipWeights} reads the CLIP part directly (it detects the {@code clip.} prefix).
 * Beside it: {@value #CONFIG_FILE} (the same metadata, for people) and the tokenizer ({@code vocab.json},
 * {@code merges.txt}).
 */
final class PaclCheckpoint {
  static final String WEIGHTS_FILE = "pacl.safetensors";
  static final String CONFIG_FILE = "pacl-config.json";
  static final String CLIP_PREFIX = "clip.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PaclCheckpoint() {}

  /** A loaded checkpoint; the arrays live in the manager given to {@link #load}. */
  record Loaded(ClipModel clip, PaclConfig config, Map<String, NDArray> embedder) {}

  /** Whether {@code file} is a PACL checkpoint (rather than plain CLIP weights). */
  static boolean isPacl(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("weights file " + file + " does not exist");
    }
    try (TensorFile t = TensorFile.open(file)) {
      return PaclConfig.FORMAT.equals(t.metadata().get("format"))
          || t.names().stream().anyMatch(n -> n.startsWith(PaclEmbedder.PREFIX));
    }
  }

  /** Loads CLIP, configuration and embedder of a PACL checkpoint into {@code m}. */
  static Loaded load(Path file, NDManager m, ClipWeights.Heads heads) {
    ClipModel clip = ClipWeights.load(file, m, heads);
    try (TensorFile t = TensorFile.open(file)) {
      PaclConfig c = PaclConfig.fromMetadata(file, t.metadata());
      Map<String, Shape> shapes = PaclEmbedder.shapes(c, clip.config().visionWidth(), clip.config().embedDim());
      Map<String, NDArray> embedder = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, Shape> e : shapes.entrySet()) {
        if (!t.names().contains(e.getKey())) {
          missing.add(e.getKey());
          continue;
        }
        TensorInfo info = t.info(e.getKey());
        if (!Arrays.equals(info.shape(), e.getValue().getShape())) {
          throw new InvalidInputException("PACL checkpoint " + file + ": tensor '" + e.getKey() + "' has shape "
              + Arrays.toString(info.shape()) + " but a " + c.embedder().key() + " embedder from width "
              + clip.config().visionWidth() + " to " + clip.config().embedDim() + " needs " + e.getValue());
        }
        float[] values = t.readFloats(e.getKey());
        for (int i = 0; i < values.length; i++) {
          if (!Float.isFinite(values[i])) {
            throw new InvalidInputException("PACL checkpoint " + file + ": tensor '" + e.getKey()
                + "' holds a non-finite value (" + values[i] + ") at flat index " + i);
          }
        }
        embedder.put(e.getKey(), m.create(values, e.getValue()));
      }
      if (!missing.isEmpty()) {
        throw new InvalidInputException("PACL checkpoint " + file + " lacks the embedder tensors " + missing);
      }
      return new Loaded(clip, c, embedder);
    }
  }

  /**
   * Writes {@code file} (CLIP + embedder + metadata) and {@value #CONFIG_FILE} beside it.
   *
   * @param extra further metadata (provenance)
   */
  static void save(Path file, ClipModel clip, PaclConfig c, Map<String, NDArray> embedder, Map<String, String> extra) {
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, NamedParameter> e : clip.stateDict().entrySet()) {
      tensors.add(SafetensorsWriter.Tensor.ofFloats(CLIP_PREFIX + e.getKey(), e.getValue().shape().getShape(),
          e.getValue().parameter().getArray().toFloatArray()));
    }
    for (Map.Entry<String, NDArray> e : embedder.entrySet()) {
      tensors.add(SafetensorsWriter.Tensor.ofFloats(e.getKey(), e.getValue().getShape().getShape(),
          e.getValue().toFloatArray()));
    }
    Map<String, String> meta = new LinkedHashMap<>(c.toMetadata());
    meta.put("vision_heads", Integer.toString(clip.config().visionHeads()));
    meta.put("text_heads", Integer.toString(clip.config().textHeads()));
    meta.putAll(extra);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      SafetensorsWriter.write(file, tensors, meta);
      Map<String, Object> json = new LinkedHashMap<>(meta);
      json.put("weights", file.getFileName().toString());
      json.put("clip_prefix", CLIP_PREFIX);
      json.put("note", "a copy of the metadata of " + file.getFileName() + ", which is what the pacl plugin reads");
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), json);
    } catch (IOException e) {
      throw new InvalidInputException("cannot write the PACL checkpoint " + file + ": " + e.getMessage(), e);
    }
  }
}

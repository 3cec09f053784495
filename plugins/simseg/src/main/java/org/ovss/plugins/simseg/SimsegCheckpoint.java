package org.ovss.plugins.simseg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.weights.ClipWeights;

/**
 * The project's SimSeg checkpoint: {@value #WEIGHTS_FILE} holds the CLIP towers under OpenAI names (so any
 * CLIP loader reads them) plus the LoDA temperature {@value #TEMPERATURE}; {@value #CONFIG_FILE} beside it
 * records the LoDA k of training and the image normalisation. A plain CLIP checkpoint (no temperature, no
 * config) also opens: it gets the defaults (k 5 / 5, CLIP normalisation, temperature 0.02).
 */
final class SimsegCheckpoint {
  static final String WEIGHTS_FILE = "simseg.safetensors";
  static final String CONFIG_FILE = "simseg.json";
  static final String TEMPERATURE = "simseg.temperature";
  static final String FORMAT = "ovss-simseg/1";
  private static final List<String> CONFIG_KEYS = List.of("format", "imageK", "textK", "normalization");

  private static final ObjectMapper JSON = new ObjectMapper();

  private SimsegCheckpoint() {}

  /** Writes {@value #WEIGHTS_FILE} and {@value #CONFIG_FILE} into {@code dir} and returns the weights file. */
  static Path save(SimsegModel model, Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InvalidInputException("cannot create checkpoint directory " + dir + ": " + e.getMessage(), e);
    }
    Path weights = dir.resolve(WEIGHTS_FILE);
    ClipModel clip = model.clip();
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, NamedParameter> e : clip.stateDict().entrySet()) {
      tensors.add(SafetensorsWriter.Tensor.ofFloats(
          e.getKey(), e.getValue().shape().getShape(), e.getValue().parameter().getArray().toFloatArray()));
    }
    tensors.add(SafetensorsWriter.Tensor.ofFloats(TEMPERATURE, new long[0], model.temperature().toFloatArray()));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "openai-clip");
    meta.put("method", "simseg");
    meta.put("vision_heads", Integer.toString(clip.config().visionHeads()));
    meta.put("text_heads", Integer.toString(clip.config().textHeads()));
    SafetensorsWriter.write(weights, tensors, meta);
    ObjectNode config = JSON.createObjectNode();
    config.put("format", FORMAT);
    config.put("imageK", model.meta().imageK());
    config.put("textK", model.meta().textK());
    config.put("normalization", model.meta().normalization().key());
    try {
      Files.writeString(dir.resolve(CONFIG_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + dir.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
    }
    return weights;
  }

  /** Loads a SimSeg checkpoint, or a plain CLIP one with SimSeg's defaults; parameters live in {@code manager}. */
  static SimsegModel load(Path weights, NDManager manager, ClipWeights.Heads heads) {
    ClipModel clip = ClipWeights.load(weights, manager, heads);
    float temperature = SimsegModel.DEFAULT_TEMPERATURE;
    try (TensorFile file = TensorFile.open(weights)) {
      if (file.names().contains(TEMPERATURE)) {
        float[] t = file.readFloats(TEMPERATURE);
        if (t.length != 1 || !(t[0] > 0) || !Float.isFinite(t[0])) {
          throw new InvalidInputException("weights file " + weights + ": tensor " + TEMPERATURE
              + " must hold one positive finite value");
        }
        temperature = t[0];
      }
    }
    NDArray tau = manager.create(temperature);
    if (tau.getShape().dimension() != 0) {
      tau = tau.reshape(new Shape());
    }
    return new SimsegModel(clip, tau, readMeta(weights), manager);
  }

  /** The config beside {@code weights}, or the defaults when there is none. */
  static SimsegModel.Meta readMeta(Path weights) {
    Path dir = weights.toAbsolutePath().getParent();
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      return SimsegModel.Meta.DEFAULT;
    }
    JsonNode node;
    try {
      node = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read SimSeg config " + file + ": " + e.getMessage(), e);
    }
    if (node == null || !node.isObject() || !FORMAT.equals(node.path("format").asText())) {
      throw new InvalidInputException("SimSeg config " + file + " is not a JSON object with \"format\": \"" + FORMAT + "\"");
    }
    for (String key : (Iterable<String>) node::fieldNames) {
      if (!CONFIG_KEYS.contains(key)) {
        throw new InvalidInputException("SimSeg config " + file + " has an unknown key '" + key + "'; known keys: "
            + String.join(", ", CONFIG_KEYS));
      }
    }
    return new SimsegModel.Meta(positive(node, "imageK", file), positive(node, "textK", file),
        SimsegModel.Normalization.of(node.path("normalization").asText("clip"), "\"normalization\" in " + file));
  }

  private static int positive(JsonNode node, String key, Path file) {
    JsonNode v = node.get(key);
    if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
      throw new InvalidInputException("SimSeg config " + file + ": \"" + key + "\" must be a positive integer, got " + v);
    }
    return v.asInt();
  }
}

package org.ovss.runner.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;

/**
 * The {@code state.json} of a checkpoint: how far the run got and what identifies the run, so that a
 * resumption can tell its own checkpoints from another run's.
 *
 * @param step steps completed
 * @param loss loss of the last completed step
 * @param seed the run's seed
 * @param totalSteps the run's total steps
 * @param configHash SHA-256 of the run's training settings
 * @param shapes parameter shapes by name, in the model's order
 */
record CheckpointState(
    int step, double loss, long seed, int totalSteps, String configHash, Map<String, List<Long>> shapes) {

  private static final ObjectMapper JSON = new ObjectMapper();

  CheckpointState {
    shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
  }

  /** The identity of the run {@code spec} describes, with no step done yet. */
  static CheckpointState initial(TrainSpec spec, Map<String, List<Long>> shapes) {
    return new CheckpointState(0, Double.NaN, spec.seed(), spec.steps(), configHash(spec.config()), shapes);
  }

  /** This run's state after {@code doneSteps} steps, the last with {@code lastLoss}. */
  CheckpointState after(int doneSteps, double lastLoss) {
    return new CheckpointState(doneSteps, lastLoss, seed, totalSteps, configHash, shapes);
  }

  /** Why a checkpoint with state {@code other} cannot be resumed by the run this state describes. */
  Optional<String> mismatch(CheckpointState other) {
    if (other.seed != seed) {
      return Optional.of("was made with seed " + other.seed + ", this run has seed " + seed);
    }
    if (other.totalSteps != totalSteps) {
      return Optional.of("was made for " + other.totalSteps + " steps, this run has " + totalSteps);
    }
    if (!other.configHash.equals(configHash)) {
      return Optional.of("was made with different training settings");
    }
    // names and shapes must agree; the order is the map's and does not affect any value
    if (!new TreeMap<>(other.shapes).equals(new TreeMap<>(shapes))) {
      return Optional.of(
          "has parameters " + new TreeMap<>(other.shapes) + ", this model has " + new TreeMap<>(shapes));
    }
    if (other.step < 0 || other.step > totalSteps) {
      return Optional.of("claims " + other.step + " of " + totalSteps + " steps done");
    }
    return Optional.empty();
  }

  /** SHA-256 of the settings, independent of the map's order. */
  static String configHash(Map<String, String> config) {
    try {
      byte[] canonical = JSON.writeValueAsBytes(new TreeMap<>(config));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the training settings", e);
    }
  }

  byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("step", step);
    root.put("loss", loss);
    root.put("seed", seed);
    root.put("totalSteps", totalSteps);
    root.put("configHash", configHash);
    ObjectNode params = root.putObject("parameters");
    shapes.forEach((name, shape) -> shape.forEach(params.putArray(name)::add));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  /**
   * Parses {@code file}.
   *
   * @throws InvalidInputException naming the file if it is not a state this engine wrote
   */
  static CheckpointState parse(Path file, byte[] json) {
    try {
      JsonNode root = JSON.readTree(json);
      Map<String, List<Long>> shapes = new LinkedHashMap<>();
      root.required("parameters")
          .properties()
          .forEach(
              e -> {
                List<Long> shape = new ArrayList<>();
                e.getValue().forEach(d -> shape.add(d.asLong()));
                shapes.put(e.getKey(), shape);
              });
      return new CheckpointState(
          root.required("step").asInt(),
          root.required("loss").asDouble(),
          root.required("seed").asLong(),
          root.required("totalSteps").asInt(),
          root.required("configHash").asText(),
          shapes);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidInputException("unreadable checkpoint state " + file + ": " + e.getMessage(), e);
    }
  }
}

package org.ovss.api;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a training run should do.
 *
 * @param outputDir where checkpoints, the loss log and the final weights go
 * @param steps number of optimiser steps; 0 exports the initialisation (the "untrained" baseline)
 * @param seed seed of initialisation, shuffling and augmentation
 * @param config method-specific training settings (batch size, learning rate, ...)
 */
public record TrainSpec(Path outputDir, int steps, long seed, Map<String, String> config) {
  /** The settings of the runner's {@link TrainingEngine}, which every method passes through to it. */
  public static final Set<String> ENGINE_KEYS = Set.of(
      "lr", "weight-decay", "beta1", "beta2", "eps", "warmup-steps", "warmup-start-lr", "schedule", "min-lr", "clip-norm",
      "checkpoint-every");

  /**
   * The setting that picks a method's preset: {@code small} (its defaults, sized for a CPU budget) or {@code official}
   * (the optimiser settings of the method's official training run, scaled to the batch as the official code scales
   * them). A method that offers presets lists this key among its own.
   */
  public static final String PRESET = "preset";

  public TrainSpec {
    if (steps < 0) {
      throw new InvalidInputException("training steps must not be negative, got " + steps);
    }
    config = Map.copyOf(config);
  }

  /**
   * Refuses settings that neither {@code method} nor the engine reads, so that a typo never silently trains with a
   * default.
   *
   * @param methodKeys the keys the method reads
   * @throws InvalidInputException naming the unknown keys and listing the known ones
   */
  public static void requireKnownKeys(String method, Map<String, String> config, Collection<String> methodKeys) {
    Set<String> unknown = new TreeSet<>(config.keySet());
    unknown.removeAll(methodKeys);
    unknown.removeAll(ENGINE_KEYS);
    if (!unknown.isEmpty()) {
      Set<String> known = new TreeSet<>(methodKeys);
      known.addAll(ENGINE_KEYS);
      throw new InvalidInputException("unknown " + method + " training setting(s) " + unknown + "; known: "
          + String.join(", ", known));
    }
  }

  /**
   * Whether {@code config} asks for the method's {@code official} preset ({@link #PRESET}).
   *
   * @throws InvalidInputException "training setting preset must be small or official, got 'VALUE'"
   */
  public static boolean officialPreset(Map<String, String> config) {
    String v = config.getOrDefault(PRESET, "small").strip();
    return switch (v) {
      case "small" -> false;
      case "official" -> true;
      default -> throw new InvalidInputException("training setting " + PRESET + " must be small or official, got '" + v
          + "'");
    };
  }

  /** This spec with {@code defaults} under its settings: a key the spec sets keeps its value. */
  public TrainSpec withDefaults(Map<String, String> defaults) {
    Map<String, String> merged = new java.util.HashMap<>(defaults);
    merged.putAll(config);
    return new TrainSpec(outputDir, steps, seed, merged);
  }

  /**
   * The training setting {@code key} of {@code config} as a positive integer; empty when it is not set.
   *
   * @throws InvalidInputException "training setting KEY must be a positive integer, got 'VALUE'"
   */
  public static OptionalInt positiveInt(Map<String, String> config, String key) {
    return MethodConfig.positiveInt(config, key, "training setting");
  }
}

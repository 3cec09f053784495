package org.ovss.runner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.runner.MethodRegistry;
import org.ovss.runner.demo.CaptionedImages;
import org.ovss.runner.demo.TrainingProgress;
import org.ovss.runner.train.DjlTrainingEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ovss train}: trains a method on image-caption pairs, resuming an interrupted run. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a method on the image-caption pairs of a synthetic benchmark (ovss synth). Checkpoints go",
      "to DIR/checkpoints; started again on the same DIR it resumes from the last one; the final weights are",
      "exported into DIR, where --weights of the other commands can read them."})
final class TrainCommand implements Runnable {
  @Option(names = "--method", required = true, description = "method id with TRAIN") String method;
  @Option(names = "--data", required = true, description = "synthetic benchmark directory (captions.jsonl, JPEGImages)") Path data;
  @Option(names = "--out", required = true, description = "output directory") Path out;
  @Option(names = "--steps", defaultValue = "600", description = "optimiser steps (default ${DEFAULT-VALUE}); 0 exports the initialisation") int steps;
  @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})") long seed;
  @Option(names = "--weights", description = "weights the training starts from: for a method that trains from another"
      + " one's checkpoint (segclip from a CLIP) that checkpoint") Path weights;
  @Option(names = "--config", description = "JSON file of training settings (lr, batch-size, arch.width, ...)") Path configFile;
  @Option(names = {"-s", "--set"}, description = "training setting NAME=VALUE (repeatable, wins over --config)")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public void run() {
    MethodProvider provider = MethodRegistry.discover().get(method);
    if (!provider.info().has(Capability.TRAIN)) {
      throw new InvalidInputException("method '" + method + "' cannot train (capabilities " + provider.info().capabilities() + ")");
    }
    Map<String, String> config = new LinkedHashMap<>(readConfig(configFile));
    config.putAll(settings);
    if (provider.info().trainsFrom().isPresent() && weights == null) {
      throw new InvalidInputException("method '" + method + "' trains from a '" + provider.info().trainsFrom().get()
          + "' checkpoint: pass it with --weights FILE");
    }
    TrainResult result = train(provider, data, out, steps, seed, config, Optional.ofNullable(weights));
    System.out.printf("trained %s for %d steps (final loss %.4f): %s%n", method, result.steps(), result.finalLoss(), result.checkpoint());
  }

  /**
   * Trains {@code provider} on the train split of a synthetic benchmark, from {@code initial} weights when given;
   * shared with {@code ovss demo}.
   */
  static TrainResult train(MethodProvider provider, Path data, Path out, int steps, long seed, Map<String, String> config,
      Optional<Path> initial) {
    CaptionedImages pairs = new CaptionedImages(data, "train");
    MethodConfig open = new MethodConfig(initial, Optional.empty(), Map.of(), seed);
    try (SegmentationMethod m = provider.open(open)) {
      return m.train(new TrainSpec(out, steps, seed, config), pairs, new DjlTrainingEngine(),
          new TrainingProgress(System.err, "train " + provider.id(), steps));
    }
  }

  private static Map<String, String> readConfig(Path file) {
    Map<String, String> config = new LinkedHashMap<>();
    if (file == null) {
      return config;
    }
    try {
      JsonNode node = new ObjectMapper().readTree(file.toFile());
      if (!node.isObject()) {
        throw new InvalidInputException("training config " + file + " must be a JSON object of settings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isValueNode()) {
          throw new InvalidInputException("training config " + file + ": setting '" + e.getKey() + "' must be a number or string");
        }
        config.put(e.getKey(), e.getValue().asText());
      }
      return config;
    } catch (IOException e) {
      throw new InvalidInputException("cannot read training config " + file + ": " + e.getMessage(), e);
    }
  }
}

package org.ovss.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a training run should do.
 *
 * @param outputDir where checkpoints, the loss log and the final weights go
 * @param steps number of optimiser steps; 0 exports the initialisation (the "untrained" baseline)
 * @param seed seed of initialisation, shuffling and augmentation
 * @param config method-specific training settings (batch size, learning rate, ...)
 */
public record TrainSpec(Path outputDir, int steps, long seed, Map<String, String> config) {
  public TrainSpec {
    if (steps < 0) {
      throw new InvalidInputException("training steps must not be negative, got " + steps);
    }
    config = Map.copyOf(config);
  }
}

package org.ovss.api;

import java.nio.file.Path;

/**
 * Outcome of a training run.
 *
 * @param checkpoint the final weights file, loadable through {@link MethodConfig#weights()}
 * @param steps optimiser steps taken
 * @param finalLoss loss of the last step
 */
public record TrainResult(Path checkpoint, int steps, double finalLoss) {}

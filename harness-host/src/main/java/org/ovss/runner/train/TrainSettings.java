package org.ovss.runner.train;

import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.api.TrainSpec;

/**
 * The engine's own settings from {@link TrainSpec#config()}, validated. Other keys belong to the
 * method and are ignored here.
 *
 * @param steps total optimiser steps of the run (the schedule's length)
 */
record TrainSettings(
    double lr,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    int warmupSteps,
    double warmupStartLr,
    Schedule schedule,
    double minLr,
    double clipNorm,
    int checkpointEvery,
    int steps) {

  /**
   * Reads the settings of {@code spec}, with the defaults of the {@link
   * org.ovss.api.TrainingEngine} contract.
   *
   * @throws InvalidInputException naming the key if a value is not a finite number, is negative, or
   *     is out of its range
   */
  static TrainSettings of(TrainSpec spec) {
    Map<String, String> c = spec.config();
    double lr = number(c, "lr", 5e-4);
    double minLr = number(c, "min-lr", 0);
    if (minLr > lr) {
      throw new InvalidInputException(
          "training setting 'min-lr' (" + minLr + ") must not exceed 'lr' (" + lr + ")");
    }
    double beta1 = number(c, "beta1", 0.9);
    double beta2 = number(c, "beta2", 0.98);
    // beta = 1 would make the bias correction 1 - beta^t zero
    below("beta1", beta1, 1);
    below("beta2", beta2, 1);
    double clipNorm = number(c, "clip-norm", 1.0);
    if (clipNorm == 0) {
      // a zero threshold would scale every gradient to zero and silently train nothing
      throw new InvalidInputException("training setting 'clip-norm' must be positive");
    }
    double warmupStartLr = number(c, "warmup-start-lr", 0);
    if (warmupStartLr > lr) {
      throw new InvalidInputException(
          "training setting 'warmup-start-lr' (" + warmupStartLr + ") must not exceed 'lr' (" + lr + ")");
    }
    Schedule schedule = Schedule.of(c.getOrDefault("schedule", "cosine"));
    int checkpointEvery = whole(c, "checkpoint-every", 50);
    if (checkpointEvery == 0) {
      throw new InvalidInputException("training setting 'checkpoint-every' must be positive");
    }
    return new TrainSettings(
        lr,
        number(c, "weight-decay", 0.05),
        beta1,
        beta2,
        number(c, "eps", 1e-6),
        whole(c, "warmup-steps", spec.steps() / 10),
        warmupStartLr,
        schedule,
        minLr,
        clipNorm,
        checkpointEvery,
        spec.steps());
  }

  /**
   * Learning rate of the 0-based {@code step}, s = {@code warmup-start-lr}, W = {@code warmup-steps}, T = {@code
   * steps}. {@code cosine}: warm-up s + (lr - s) (step + 1) / W, then cosine decay from {@code lr} at the first step
   * after warm-up towards {@code min-lr} at T. {@code timm-cosine} (timm's {@code CosineLRScheduler} with {@code
   * t_initial} T, {@code warmup_t} W, {@code warmup_lr_init} s, no warm-up prefix, stepped per update, as
   * NVlabs/GroupViT@13b7861 {@code utils/lr_scheduler.py} builds it): warm-up s + (lr - s) step / W, then
   * min-lr + (lr - min-lr) (1 + cos(pi step / T)) / 2, the cosine counted from step 0.
   */
  double learningRate(int step) {
    if (schedule == Schedule.TIMM_COSINE) {
      if (step < warmupSteps) {
        return warmupStartLr + (lr - warmupStartLr) * step / warmupSteps;
      }
      return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * step / Math.max(1, steps)));
    }
    if (step < warmupSteps) {
      return warmupStartLr + (lr - warmupStartLr) * (step + 1) / warmupSteps;
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
  }

  /** The shape of the learning-rate schedule ({@code schedule}). */
  enum Schedule {
    COSINE("cosine"),
    TIMM_COSINE("timm-cosine");

    private final String key;

    Schedule(String key) {
      this.key = key;
    }

    static Schedule of(String text) {
      for (Schedule s : values()) {
        if (s.key.equals(text.strip())) {
          return s;
        }
      }
      throw new InvalidInputException(
          "training setting 'schedule' must be cosine or timm-cosine, got '" + text + "'");
    }
  }

  private static double number(Map<String, String> config, String key, double fallback) {
    String text = config.get(key);
    if (text == null) {
      return fallback;
    }
    double value;
    try {
      value = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "training setting '" + key + "' must be a number, got '" + text + "'", e);
    }
    if (!Double.isFinite(value)) {
      throw new InvalidInputException(
          "training setting '" + key + "' must be a finite number, got '" + text + "'");
    }
    if (value < 0) {
      throw new InvalidInputException(
          "training setting '" + key + "' must not be negative, got '" + text + "'");
    }
    return value;
  }

  private static int whole(Map<String, String> config, String key, int fallback) {
    double value = number(config, key, fallback);
    // "50.0" is accepted because JSON configs may spell integers that way
    if (value != Math.rint(value) || value > Integer.MAX_VALUE) {
      throw new InvalidInputException(
          "training setting '" + key + "' must be a whole number, got '" + config.get(key) + "'");
    }
    return (int) value;
  }

  private static void below(String key, double value, double bound) {
    if (value >= bound) {
      throw new InvalidInputException(
          "training setting '" + key + "' must be below " + bound + ", got " + value);
    }
  }
}

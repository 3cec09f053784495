package org.ovss.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to open a method.
 *
 * @param weights weights file, if the method needs one (CLIP weights, a trained checkpoint)
 * @param tokenizer tokenizer location (a directory with {@code vocab.json} + {@code merges.txt}, or a
 *     {@code bpe_simple_vocab_16e6.txt.gz} file); empty means "look beside the weights"
 * @param options method knobs, see {@link MethodInfo#knobs()}
 * @param seed seed for anything random the method does (initialisation, sampling)
 * @param execution engine, precision and device of the encoders ({@link Execution#DEFAULT} unless the run asks)
 */
public record MethodConfig(
    Optional<Path> weights, Optional<Path> tokenizer, Map<String, String> options, long seed, Execution execution) {

  public MethodConfig {
    options = Map.copyOf(options);
    execution = execution == null ? Execution.DEFAULT : execution;
  }

  /** A configuration on the default execution (PyTorch, fp32, CPU). */
  public MethodConfig(Optional<Path> weights, Optional<Path> tokenizer, Map<String, String> options, long seed) {
    this(weights, tokenizer, options, seed, Execution.DEFAULT);
  }

  public static MethodConfig of(Path weights, Path tokenizer) {
    return new MethodConfig(Optional.ofNullable(weights), Optional.ofNullable(tokenizer), Map.of(), 0L);
  }

  public MethodConfig withOptions(Map<String, String> newOptions) {
    return new MethodConfig(weights, tokenizer, newOptions, seed, execution);
  }

  public MethodConfig withSeed(long newSeed) {
    return new MethodConfig(weights, tokenizer, options, newSeed, execution);
  }

  public MethodConfig withExecution(Execution newExecution) {
    return new MethodConfig(weights, tokenizer, options, seed, newExecution);
  }

  /** The weights file, or an error naming the method that needs it. */
  public Path requireWeights(String methodId) {
    return weights.orElseThrow(
        () -> new InvalidInputException("method '" + methodId + "' needs a weights file (--weights FILE)"));
  }

  public String option(String name, String defaultValue) {
    return options.getOrDefault(name, defaultValue);
  }

  /**
   * The option {@code name} as a positive integer; empty when it is not set.
   *
   * @throws InvalidInputException "option NAME must be a positive integer, got 'VALUE'"
   */
  public OptionalInt positiveInt(String name) {
    return positiveInt(options, name);
  }

  /**
   * {@link #positiveInt(String)} on a plain option map ({@link #options()} already split off, say).
   *
   * @throws InvalidInputException "option NAME must be a positive integer, got 'VALUE'"
   */
  public static OptionalInt positiveInt(Map<String, String> options, String name) {
    return positiveInt(options, name, "option");
  }

  /**
   * The value of {@code name} in {@code values} as a positive integer (surrounding blanks ignored); empty when
   * it is not set. Shared by method options and training settings ({@link TrainSpec#positiveInt}).
   *
   * @param kind what the values are, first word of the error: "option" or "training setting"
   * @throws InvalidInputException "KIND NAME must be a positive integer, got 'VALUE'"
   */
  static OptionalInt positiveInt(Map<String, String> values, String name, String kind) {
    String v = values.get(name);
    if (v == null) {
      return OptionalInt.empty();
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n > 0) {
        return OptionalInt.of(n);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException(kind + " " + name + " must be a positive integer, got '" + v + "'");
  }
}

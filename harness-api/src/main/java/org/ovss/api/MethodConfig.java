package org.ovss.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How to open a method.
 *
 * @param weights weights file, if the method needs one (CLIP weights, a trained checkpoint)
 * @param tokenizer tokenizer location (a directory with {@code vocab.json} + {@code merges.txt}, or a
 *     {@code bpe_simple_vocab_16e6.txt.gz} file); empty means "look beside the weights"
 * @param options method knobs, see {@link MethodInfo#knobs()}
 * @param seed seed for anything random the method does (initialisation, sampling)
 */
public record MethodConfig(
    Optional<Path> weights, Optional<Path> tokenizer, Map<String, String> options, long seed) {

  public MethodConfig {
    options = Map.copyOf(options);
  }

  public static MethodConfig of(Path weights, Path tokenizer) {
    return new MethodConfig(Optional.ofNullable(weights), Optional.ofNullable(tokenizer), Map.of(), 0L);
  }

  public MethodConfig withOptions(Map<String, String> newOptions) {
    return new MethodConfig(weights, tokenizer, newOptions, seed);
  }

  public MethodConfig withSeed(long newSeed) {
    return new MethodConfig(weights, tokenizer, options, newSeed);
  }

  /** The weights file, or an error naming the method that needs it. */
  public Path requireWeights(String methodId) {
    return weights.orElseThrow(
        () -> new InvalidInputException("method '" + methodId + "' needs a weights file (--weights FILE)"));
  }

  public String option(String name, String defaultValue) {
    return options.getOrDefault(name, defaultValue);
  }
}

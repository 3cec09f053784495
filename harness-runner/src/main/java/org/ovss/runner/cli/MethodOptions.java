package org.ovss.runner.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.Capability;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.UnsupportedCapabilityException;
import org.ovss.runner.MethodRegistry;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options that choose and open a method, shared by the commands that run one. */
final class MethodOptions {

  @Option(names = "--method", required = true, description = "method id (see 'ovss methods')")
  String method;

  @Option(names = "--weights", required = true, description = "weights file (safetensors or OpenAI TorchScript .pt)")
  Path weights;

  @Option(names = "--tokenizer", description = "tokenizer directory or bpe_simple_vocab_16e6.txt.gz (default: beside the weights, else CLIP's own)")
  Path tokenizer;

  @Option(names = {"-o", "--option"}, description = "method option NAME=VALUE (repeatable)")
  Map<String, String> options = new LinkedHashMap<>();

  @Mixin ExecutionOptions execution;

  /** The method's provider, which must declare {@code needed}. */
  MethodProvider provider(Capability needed) {
    MethodProvider provider = MethodRegistry.discover().get(method);
    if (!provider.info().has(needed)) {
      throw new UnsupportedCapabilityException(method, needed);
    }
    return provider;
  }

  /** The configuration of {@code provider}, on the engine and device the options chose. */
  MethodConfig config(MethodProvider provider) {
    return new MethodConfig(Optional.of(weights), Optional.ofNullable(tokenizer), options, 0L, execution.resolve(provider));
  }
}

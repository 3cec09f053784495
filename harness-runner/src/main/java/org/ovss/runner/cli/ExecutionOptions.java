package org.ovss.runner.cli;

import org.ovss.api.Execution;
import org.ovss.api.MethodProvider;
import org.ovss.runner.Executions;
import picocli.CommandLine.Option;

/** Engine, precision and device of a method's encoders, shared by the commands that run a method. */
final class ExecutionOptions {
  @Option(names = "--engine", paramLabel = "pytorch|onnxruntime",
      description = "engine of the encoders (default: onnxruntime for the methods that support it, else pytorch)")
  String engine;

  @Option(names = "--precision", paramLabel = "fp32|int8", defaultValue = "fp32",
      description = "encoder arithmetic; int8 (weights per output channel, activations dynamically) needs onnxruntime"
          + " (default ${DEFAULT-VALUE})")
  String precision;

  @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", defaultValue = "cpu",
      description = "device of every engine and array (default ${DEFAULT-VALUE}; GPU execution is untested)")
  String device;

  @Option(names = "--ep", paramLabel = "cuda|tensorrt", description = "ONNX Runtime's GPU execution provider (with --device gpu)")
  String ep;

  /** The execution for {@code provider}: the default engine is ONNX Runtime where the method supports it. */
  Execution resolve(MethodProvider provider) {
    return Executions.resolve(provider, engine, precision, device, ep, "", true);
  }

  /** As {@link #resolve}, falling back to PyTorch (fp32) for a method that cannot run on ONNX Runtime. */
  Execution resolveOrPytorch(MethodProvider provider) {
    return Executions.resolveOrPytorch(provider, engine, precision, device, ep, "", true);
  }

}

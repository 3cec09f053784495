package org.ovss.runner.cli;

import java.util.Locale;
import org.ovss.api.Capability;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
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
    boolean onnx = provider.info().has(Capability.ONNXRUNTIME);
    Execution.Engine e;
    if (engine == null) {
      e = onnx && !"gpu".equals(baseDevice()) ? Execution.Engine.ONNXRUNTIME : Execution.Engine.PYTORCH;
      if (ep != null || !"fp32".equalsIgnoreCase(precision.strip())) {
        e = Execution.Engine.ONNXRUNTIME;
      }
    } else {
      e = parse(Execution.Engine.class, "--engine", engine);
    }
    if (e == Execution.Engine.ONNXRUNTIME && !onnx) {
      throw new InvalidInputException("method '" + provider.id() + "' runs on the pytorch engine only, not on onnxruntime"
          + " (use --engine pytorch)");
    }
    Execution.Precision p = parse(Execution.Precision.class, "--precision", precision);
    return new Execution(e, p, device, ep);
  }

  /**
   * Whether the user asked for anything but PyTorch on the CPU at fp32 (an engine other than pytorch, int8, a GPU or
   * an execution provider); the engine's default alone is not asking.
   */
  boolean asksBeyondPytorchOnCpu() {
    return (engine != null && !"pytorch".equalsIgnoreCase(engine.strip())) || !"fp32".equalsIgnoreCase(precision.strip())
        || !"cpu".equals(baseDevice()) || ep != null;
  }

  /** As {@link #resolve}, falling back to PyTorch (fp32) for a method that cannot run on ONNX Runtime. */
  Execution resolveOrPytorch(MethodProvider provider) {
    if (!provider.info().has(Capability.ONNXRUNTIME)) {
      return new Execution(Execution.Engine.PYTORCH, Execution.Precision.FP32, device, null);
    }
    return resolve(provider);
  }

  private String baseDevice() {
    return device.strip().toLowerCase(Locale.ROOT).startsWith("gpu") ? "gpu" : "cpu";
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
    for (E c : type.getEnumConstants()) {
      if (c.name().equalsIgnoreCase(value.strip())) {
        return c;
      }
    }
    StringBuilder names = new StringBuilder();
    for (E c : type.getEnumConstants()) {
      names.append(names.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
    }
    throw new InvalidInputException(option + " takes " + names + ", got '" + value + "'");
  }
}

package org.ovss.runner;

import java.util.Locale;
import org.ovss.api.Capability;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;

/**
 * The execution a run gets from what its user wrote (command-line options or a plan's keys): every command that runs a
 * method and every plan cell resolve it here, so that {@code ovss eval}, {@code ovss run} and Spark executors run a
 * method on the same engine by default.
 */
public final class Executions {
  private Executions() {}

  /**
   * @param engine {@code pytorch}, {@code onnxruntime}, or null for the default: ONNX Runtime where the method
   *     supports it and no GPU is asked for (or where int8 or an execution provider is asked for), else PyTorch
   * @param precision {@code fp32} or {@code int8}; null is fp32
   * @param device {@code cpu}, {@code gpu} or {@code gpu:N}; null is the CPU
   * @param ep ONNX Runtime's GPU execution provider, or null
   * @param context what starts an error line ("" on the command line, "plan FILE: " in a plan)
   * @param cli whether the values came from options ({@code --engine}) or from keys ({@code "engine"})
   */
  public static Execution resolve(MethodProvider provider, String engine, String precision, String device, String ep,
      String context, boolean cli) {
    boolean onnx = provider.info().has(Capability.ONNXRUNTIME);
    String prec = precision == null ? "fp32" : precision;
    String dev = device == null ? "cpu" : device;
    boolean gpu = dev.strip().toLowerCase(Locale.ROOT).startsWith("gpu");
    Execution.Engine e;
    if (engine == null) {
      e = onnx && !gpu ? Execution.Engine.ONNXRUNTIME : Execution.Engine.PYTORCH;
      if (ep != null || !"fp32".equalsIgnoreCase(prec.strip())) {
        e = Execution.Engine.ONNXRUNTIME;
      }
    } else {
      e = parse(Execution.Engine.class, context + name("engine", cli), engine);
    }
    if (e == Execution.Engine.ONNXRUNTIME && !onnx) {
      throw new InvalidInputException(context + "method '" + provider.id() + "' runs on the pytorch engine only, not on"
          + " onnxruntime (use " + (cli ? "--engine pytorch" : "\"engine\": \"pytorch\"") + ")");
    }
    try {
      return new Execution(e, parse(Execution.Precision.class, context + name("precision", cli), prec), dev, ep);
    } catch (InvalidInputException bad) {
      if (context.isEmpty()) {
        throw bad;
      }
      throw new InvalidInputException(context + bad.getMessage());
    }
  }

  private static String name(String key, boolean cli) {
    return cli ? "--" + key : "\"" + key + "\"";
  }

  /** As {@link #resolve}, falling back to PyTorch (fp32) for a method that cannot run on ONNX Runtime. */
  public static Execution resolveOrPytorch(MethodProvider provider, String engine, String precision, String device,
      String ep, String context, boolean cli) {
    if (!provider.info().has(Capability.ONNXRUNTIME)) {
      return new Execution(Execution.Engine.PYTORCH, Execution.Precision.FP32, device, null);
    }
    return resolve(provider, engine, precision, device, ep, context, cli);
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

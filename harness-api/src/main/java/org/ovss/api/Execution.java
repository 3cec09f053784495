package org.ovss.api;

import java.util.Locale;

/**
 * Where and how a method's encoders run.
 *
 * @param engine the inference engine of the encoders; NDArray work around them stays on PyTorch
 * @param precision the encoders' arithmetic ({@link Precision#INT8} only on {@link Engine#ONNXRUNTIME})
 * @param device {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}
 * @param ep ONNX Runtime's execution provider on a GPU: {@code cuda} or {@code tensorrt}; null on the CPU
 */
public record Execution(Engine engine, Precision precision, String device, String ep) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** PyTorch, fp32, on the CPU: what every method supports. */
  public static final Execution DEFAULT = new Execution(Engine.PYTORCH, Precision.FP32, "cpu", null);

  /** Inference engines. */
  public enum Engine {
    PYTORCH, ONNXRUNTIME;

    /** The command-line spelling: {@code pytorch}, {@code onnxruntime}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Encoder arithmetic. */
  public enum Precision {
    FP32, INT8;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Execution {
    if (engine == null || precision == null) {
      throw new IllegalArgumentException("engine and precision are required");
    }
    device = device == null ? "cpu" : device.strip().toLowerCase(Locale.ROOT);
    if (!device.matches("cpu|gpu(:\\d+)?")) {
      throw new InvalidInputException("--device takes cpu, gpu or gpu:N, got '" + device + "'");
    }
    if (precision == Precision.INT8 && engine != Engine.ONNXRUNTIME) {
      throw new InvalidInputException("--precision int8 needs --engine onnxruntime");
    }
    if (ep != null) {
      ep = ep.strip().toLowerCase(Locale.ROOT);
      if (!ep.equals("cuda") && !ep.equals("tensorrt")) {
        throw new InvalidInputException("--ep takes cuda or tensorrt, got '" + ep + "'");
      }
      if (engine != Engine.ONNXRUNTIME || device.equals("cpu")) {
        throw new InvalidInputException("--ep " + ep + " needs --engine onnxruntime and --device gpu");
      }
    }
  }

  /** The device as DJL names it, for every NDManager and model of a run. */
  public ai.djl.Device djlDevice() {
    int gpu = gpuIndex();
    return gpu < 0 ? ai.djl.Device.cpu() : ai.djl.Device.gpu(gpu);
  }

  /** The GPU index of {@link #device}, or -1 on the CPU. */
  public int gpuIndex() {
    if (device.equals("cpu")) {
      return -1;
    }
    return device.equals("gpu") ? 0 : Integer.parseInt(device.substring(4));
  }
}

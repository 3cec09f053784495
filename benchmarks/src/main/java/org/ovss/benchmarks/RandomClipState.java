package org.ovss.benchmarks;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.onnx.OnnxClipTowers;

/**
 * What the encoder benchmarks share: a CLIP of the {@code arch} parameter with seeded random weights, run by
 * clip-core's blocks or, per the {@code execution} parameter (pytorch, onnxruntime-fp32, onnxruntime-int8), by
 * ONNX Runtime; opened once per trial, with the subclass's inputs made by {@link #prepare()}.
 */
@State(Scope.Benchmark)
public abstract class RandomClipState {
  @Param({"vit-b16"})
  public String arch;

  @Param({"pytorch", "onnxruntime-fp32", "onnxruntime-int8"})
  public String execution;

  NDManager manager;
  ClipModel model;
  ParameterStore parameters;
  /** The towers on ONNX Runtime, or null on PyTorch (then {@link #model} runs). */
  OnnxClipTowers onnx;

  @Setup(Level.Trial)
  public final void setUp() {
    manager = NDManager.newBaseManager();
    model = Common.randomClip(arch, manager);
    parameters = new ParameterStore(manager, false);
    onnx = Common.towers(execution, model);
    prepare();
  }

  /** The benchmark's inputs, made once the model is open. */
  protected abstract void prepare();

  @TearDown(Level.Trial)
  public final void tearDown() {
    if (onnx != null) {
      onnx.close();
    }
    manager.close();
  }
}

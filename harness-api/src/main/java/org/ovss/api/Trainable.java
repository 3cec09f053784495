package org.ovss.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a method hands the {@link TrainingEngine}: named parameters and a loss. The engine owns the
 * optimiser, schedule, clipping, checkpoints and resumption; the method owns the model and its data.
 */
public interface Trainable {

  /**
   * The parameters to optimise, by stable name (the names of the checkpoint). The engine updates the
   * arrays in place after each step and restores them on resumption; their order is the map's order.
   */
  Map<String, NDArray> parameters();

  /**
   * The loss of optimisation step {@code step} (0-based) as a scalar whose graph reaches the parameters.
   * Everything random about the step (batch, augmentation) must come from {@code seed} and {@code step},
   * so that a resumed run repeats exactly what an uninterrupted one does.
   *
   * @param scope manager for the step's intermediates; the engine closes it after the step
   */
  NDArray loss(NDManager scope, int step, long seed);

  /**
   * The method's weight-decay rule: whether the engine's AdamW decays parameter {@code name}. The default decays
   * parameters of two or more dimensions (matrices, kernels) and spares biases, norm gains and scalars; a method
   * whose official code groups its parameters otherwise says so here.
   */
  default boolean decays(String name, NDArray parameter) {
    return parameter.getShape().dimension() >= 2;
  }

  /**
   * The learning rate of parameter {@code name} relative to the engine's schedule (1 by default): a parameter group
   * with its own rate, as {@code torch.optim} parameter groups with their own {@code lr} under a shared schedule.
   * Decoupled weight decay scales with it, as in {@code torch.optim.AdamW}. 0 leaves the parameter as it is.
   */
  default double learningRateScale(String name) {
    return 1.0;
  }

  /**
   * Writes the trained model where {@link MethodConfig#weights()} can load it (weights file plus whatever
   * it needs beside it, e.g. a config or tokenizer) and returns the weights file.
   */
  Path export(Path directory);
}

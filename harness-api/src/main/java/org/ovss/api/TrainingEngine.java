package org.ovss.api;

/**
 * The runner's training loop, lent to methods in {@link SegmentationMethod#train}: AdamW with decoupled
 * weight decay, linear warm-up then cosine decay, clipping by the global gradient norm, checkpoints
 * (weights, optimiser state, step) with exact resumption, a JSONL log of loss and learning rate, and
 * progress reporting. Settings come from {@link TrainSpec#config()} (keys {@code lr}, {@code weight-decay},
 * {@code warmup-steps}, {@code warmup-start-lr}, {@code schedule}, {@code min-lr}, {@code clip-norm}, {@code
 * checkpoint-every}, {@code beta1}, {@code beta2}, {@code eps}). The method's {@link Trainable} says which parameters
 * are decayed and at which share of the learning rate each trains.
 */
public interface TrainingEngine {

  /**
   * Optimises {@code model} for {@code spec.steps()} steps, resuming from the latest checkpoint in
   * {@code spec.outputDir()} if there is one, and exports the final model into {@code spec.outputDir()}.
   */
  TrainResult fit(Trainable model, TrainSpec spec, TrainListener listener);
}

package org.ovss.runner.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.InvalidInputException;
import org.ovss.api.OvssException;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;
import org.ovss.api.TrainingEngine;

/**
 * The runner's {@link TrainingEngine} on DJL: AdamW written out on NDArrays (PyTorch's formula,
 * decoupled weight decay on the parameters the method's {@link Trainable#decays} rule names, by
 * default those of two or more dimensions, each parameter at its {@link Trainable#learningRateScale}
 * share of the rate), clipping at the global gradient norm, linear warm-up then cosine decay, and
 * exact resumption from checkpoints.
 *
 * <p>Settings ({@link TrainSpec#config()}, other keys are the method's): {@code lr} (5e-4), {@code
 * weight-decay} (0.05), {@code beta1} (0.9), {@code beta2} (0.98), {@code eps} (1e-6), {@code
 * warmup-steps} (10% of the steps), {@code warmup-start-lr} (0), {@code schedule} ({@code cosine}, or
 * {@code timm-cosine}; see {@link TrainSettings#learningRate}), {@code min-lr} (0), {@code clip-norm}
 * (1.0), {@code checkpoint-every} (50).
 *
 * <p>In {@code outputDir}: {@code checkpoints/step-NNNNNNN/} every {@code checkpoint-every} steps and
 * after the last (the newest two are kept), and {@code train-log.jsonl}, one line per step. Steps are
 * counted from 1 in the log, the checkpoint names, the listener and error messages. A run restarted
 * on the same directory continues after its newest checkpoint and ends with the same weights, bit
 * for bit, as a run that was never interrupted, provided the model's loss depends only on the seed
 * and the step, as {@link Trainable#loss} requires. A run whose newest checkpoint is its last step
 * only exports again; a run of zero steps exports the model as initialised, with a NaN final loss.
 *
 * <p>One instance may train several models, one after another: DJL's PyTorch engine allows one
 * gradient collector per process at a time.
 */
public final class DjlTrainingEngine implements TrainingEngine {
  /** Consecutive steps with a non-finite gradient norm after which training stops. */
  static final int MAX_SKIPPED_STEPS = 5;


  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException if a setting is invalid or {@code spec.outputDir()} holds
   *     checkpoints of another run (other seed, steps, settings or parameters)
   * @throws OvssException if a step's loss or gradient norm is not finite (the last checkpoint
   *     stays), or the directory cannot be written
   */
  @Override
  public TrainResult fit(Trainable model, TrainSpec spec, TrainListener listener) {
    TrainSettings settings = TrainSettings.of(spec);
    Map<String, NDArray> params = parameters(model);
    Path out = spec.outputDir();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new OvssException("cannot create output directory " + out + ": " + e.getMessage(), e);
    }
    Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"));
    CheckpointState state = CheckpointState.initial(spec, shapes(params));
    double lastLoss = Double.NaN;
    try (NDManager manager = NDManager.newBaseManager()) {
      AdamW optimizer = new AdamW(params, model, settings, manager);
      Optional<Path> latest = checkpoints.latest();
      if (latest.isPresent()) {
        CheckpointState saved = Checkpoints.state(latest.get());
        Optional<String> why = state.mismatch(saved);
        if (why.isPresent()) {
          throw new InvalidInputException(
              "output directory " + out + " belongs to another run: checkpoint " + latest.get() + " "
                  + why.get() + "; choose another output directory or delete this one");
        }
        Checkpoints.restore(latest.get(), params, optimizer);
        state = saved;
        lastLoss = saved.loss();
      }
      if (state.step() < spec.steps()) {
        lastLoss = run(model, spec, listener, settings, params, optimizer, checkpoints, state, manager);
      }
    }
    return new TrainResult(model.export(out), spec.steps(), lastLoss);
  }

  /** Steps {@code from.step()} to the end; returns the last step's loss. */
  private static double run(
      Trainable model,
      TrainSpec spec,
      TrainListener listener,
      TrainSettings settings,
      Map<String, NDArray> params,
      AdamW optimizer,
      Checkpoints checkpoints,
      CheckpointState from,
      NDManager manager) {
    params.values().forEach(p -> p.setRequiresGradient(true));
    double loss = Double.NaN;
    int skipped = 0;
    try (TrainLog log = TrainLog.open(spec.outputDir().resolve("train-log.jsonl"), from.step())) {
      for (int step = from.step(); step < spec.steps(); step++) {
        long started = System.nanoTime();
        int done = step + 1;
        double lr = settings.learningRate(step);
        double gradNorm;
        try (NDManager scope = manager.newSubManager()) {
          NDArray lossArray;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            lossArray = model.loss(scope, step, spec.seed());
            if (lossArray.size() != 1) {
              throw new OvssException(
                  "the loss of step " + done + " must be a scalar, got shape " + lossArray.getShape());
            }
            gc.backward(lossArray);
          }
          // read and update only now: inside the collector, in-place operations on the
          // parameters (leaves that require gradients) are refused
          loss = lossArray.toType(DataType.FLOAT64, false).getDouble();
          if (!Double.isFinite(loss)) {
            throw new OvssException(
                "training diverged: the loss of step " + done + " of " + spec.steps() + " is " + loss
                    + "; the last checkpoint in " + spec.outputDir() + " is kept");
          }
          gradNorm = optimizer.step(done, lr);
          // An overflowing gradient skips its step, as mixed-precision loss scaling does; only a
          // run of them means the model itself has diverged.
          skipped = Double.isFinite(gradNorm) ? 0 : skipped + 1;
          if (skipped >= MAX_SKIPPED_STEPS) {
            throw new OvssException(
                "training diverged: the gradient norm of steps " + (done - skipped + 1) + " to " + done + " of "
                    + spec.steps() + " is " + gradNorm + "; the last checkpoint in " + spec.outputDir() + " is kept");
          }
        }
        log.append(done, loss, lr, gradNorm, (System.nanoTime() - started) / 1e9);
        if (done % settings.checkpointEvery() == 0 || done == spec.steps()) {
          // the log lines of the steps a checkpoint covers are on disk before the checkpoint is
          log.sync();
          checkpoints.write(from.after(done, loss), params, optimizer);
        }
        // after the checkpoint, so that a listener that cancels by throwing loses no work
        listener.onStep(done, spec.steps(), loss, lr);
      }
    }
    return loss;
  }

  /** The model's parameters, in its order, taken once so that every step updates the same arrays. */
  private static Map<String, NDArray> parameters(Trainable model) {
    Map<String, NDArray> params = new LinkedHashMap<>(model.parameters());
    if (params.isEmpty()) {
      throw new OvssException("the model has no parameters to train");
    }
    params.forEach(
        (name, p) -> {
          // checkpoints hold float32, and restoring must be exact
          if (p.getDataType() != DataType.FLOAT32) {
            throw new OvssException(
                "parameter '" + name + "' is " + p.getDataType() + "; the training engine needs float32");
          }
        });
    return params;
  }

  private static Map<String, List<Long>> shapes(Map<String, NDArray> params) {
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    params.forEach(
        (name, p) -> {
          List<Long> dims = new ArrayList<>();
          for (long d : p.getShape().getShape()) {
            dims.add(d);
          }
          shapes.put(name, dims);
        });
    return shapes;
  }
}

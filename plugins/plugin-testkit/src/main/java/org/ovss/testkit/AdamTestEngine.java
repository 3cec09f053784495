package org.ovss.testkit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;
import org.ovss.api.TrainingEngine;

/**
 * A minimal stand-in for the runner's engine for plugin tests (plugins cannot depend on the runner): plain Adam at a fixed
 * rate (times each parameter's {@link Trainable#learningRateScale}), no weight decay, no checkpoints, the loss of every
 * step recorded. Updates happen outside the gradient collector
 * and clear the gradients, which PyTorch accumulates.
 */
public final class AdamTestEngine implements TrainingEngine {
  private final double lr;
  private final List<Double> losses = new ArrayList<>();

  public AdamTestEngine(double lr) {
    this.lr = lr;
  }

  /** The loss of every step run so far. */
  public List<Double> losses() {
    return losses;
  }

  @Override
  public TrainResult fit(Trainable model, TrainSpec spec, TrainListener listener) {
    Map<String, NDArray> params = new LinkedHashMap<>(model.parameters());
    double loss = Double.NaN;
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> m1 = new LinkedHashMap<>();
      Map<String, NDArray> m2 = new LinkedHashMap<>();
      params.forEach((k, p) -> {
        m1.put(k, manager.zeros(p.getShape()));
        m2.put(k, manager.zeros(p.getShape()));
        p.setRequiresGradient(true);
      });
      for (int step = 0; step < spec.steps(); step++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray l;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            l = model.loss(scope, step, spec.seed());
            if (step < 3) {
              // Frees any Java buffer that only an autograd-saved tensor still uses, so that a
              // use-after-free in the backward pass shows up as a wrong loss instead of by chance.
              System.gc();
              sleep();
            }
            gc.backward(l);
          }
          loss = l.getFloat();
          losses.add(loss);
          int t = step + 1;
          try (NDScope ndScope = new NDScope()) {
            ndScope.suppressNotUsedWarning();
            update(model, params, m1, m2, t);
          }
        }
        listener.onStep(step + 1, spec.steps(), loss, lr);
      }
    }
    return new TrainResult(model.export(spec.outputDir()), spec.steps(), loss);
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void update(Trainable model, Map<String, NDArray> params, Map<String, NDArray> m1, Map<String, NDArray> m2,
      int t) {
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = p.getGradient();
      NDArray a = m1.get(e.getKey());
      NDArray v = m2.get(e.getKey());
      a.muli(0.9f).addi(g.mul(0.1f));
      v.muli(0.999f).addi(g.square().muli(0.001f));
      NDArray denom = v.div((float) (1 - Math.pow(0.999, t))).sqrt().addi(1e-8f);
      p.subi(a.div((float) (1 - Math.pow(0.9, t))).div(denom).muli((float) (lr * model.learningRateScale(e.getKey()))));
      g.subi(g); // PyTorch accumulates gradients
    }
  }
}

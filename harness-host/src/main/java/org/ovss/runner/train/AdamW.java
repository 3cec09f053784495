package org.ovss.runner.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ovss.api.OvssException;
import org.ovss.api.Trainable;

/**
 * AdamW as {@code torch.optim.AdamW} computes it, preceded by clipping at the global gradient norm
 * as {@code torch.nn.utils.clip_grad_norm_} does. Which parameters are decayed and each parameter's
 * learning-rate scale are the method's ({@link Trainable#decays}, {@link Trainable#learningRateScale}):
 * a parameter at scale r steps at r times the scheduled rate and decays by r lr wd, as a {@code
 * torch.optim} parameter group with its own {@code lr}.
 */
final class AdamW {

  /** {@code clip_grad_norm_} adds this to the norm so that a zero gradient does not divide by 0. */
  private static final double CLIP_EPS = 1e-6;

  private final Map<String, NDArray> params;
  private final TrainSettings settings;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private final Set<String> decayed = new HashSet<>();
  private final Map<String, Double> lrScales = new HashMap<>();

  /**
   * Zero moments for each of {@code params}, held by {@code manager}; the weight-decay rule and
   * learning-rate scales of {@code model}.
   *
   * @throws OvssException if a learning-rate scale is negative or not finite
   */
  AdamW(Map<String, NDArray> params, Trainable model, TrainSettings settings, NDManager manager) {
    this.params = params;
    this.settings = settings;
    params.forEach(
        (name, p) -> {
          firstMoments.put(name, manager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
          secondMoments.put(name, manager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
          if (model.decays(name, p)) {
            decayed.add(name);
          }
          double scale = model.learningRateScale(name);
          if (!(scale >= 0) || !Double.isFinite(scale)) {
            throw new OvssException("the learning-rate scale of parameter '" + name + "' is " + scale
                + "; it must be a finite number of at least 0");
          }
          lrScales.put(name, scale);
        });
  }

  /** The running mean of gradients of parameter {@code name}, updated in place. */
  NDArray firstMoment(String name) {
    return firstMoments.get(name);
  }

  /** The running mean of squared gradients of parameter {@code name}, updated in place. */
  NDArray secondMoment(String name) {
    return secondMoments.get(name);
  }

  /**
   * Clips the gradients the last backward pass left on the parameters, updates the parameters in
   * place and zeroes the gradients for the next pass. Must run outside a gradient collector, where
   * in-place operations on leaves that require gradients are allowed.
   *
   * @param t 1-based step number, for the bias corrections
   * @param lr learning rate of this step
   * @return the global gradient norm before clipping; when it is not finite nothing is updated and
   *     the gradients are cleared
   */
  double step(int t, double lr) {
    // closes the gradient handles and every intermediate created below
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      // a parameter the loss did not reach has no gradient; DJL reads it as zeros, so it still
      // decays and its moments still age, the same whether or not the run was resumed
      List<NDArray> grads = new ArrayList<>();
      double squares = 0;
      for (NDArray p : params.values()) {
        NDArray g = p.getGradient();
        grads.add(g);
        squares += g.square().sum().getFloat();
      }
      double norm = Math.sqrt(squares);
      if (!Double.isFinite(norm)) {
        // The step is skipped and its gradients cleared in place: 0 * inf is NaN, so the NaNs are then
        // overwritten natively. (Setting from a Java array would leave the gradient pointing into a
        // buffer that dies with this handle.)
        for (NDArray g : grads) {
          g.muli(0f);
          g.set(new NDIndex("{}", g.isNaN()), 0f);
        }
        return norm;
      }
      double clip = settings.clipNorm() / (norm + CLIP_EPS);
      double b1 = settings.beta1();
      double b2 = settings.beta2();
      double bias1 = 1 - Math.pow(b1, t);
      double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
      int i = 0;
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = grads.get(i++);
        if (clip < 1) {
          g.muli((float) clip);
        }
        double groupLr = lr * lrScales.get(e.getKey());
        if (decayed.contains(e.getKey())) {
          p.muli((float) (1 - groupLr * settings.weightDecay()));
        }
        NDArray m = firstMoments.get(e.getKey());
        NDArray v = secondMoments.get(e.getKey());
        m.muli((float) b1).addi(g.mul((float) (1 - b1)));
        v.muli((float) b2).addi(g.square().muli((float) (1 - b2)));
        NDArray denom = v.sqrt().divi((float) bias2Sqrt).addi((float) settings.eps());
        p.subi(m.div(denom).muli((float) (groupLr / bias1)));
        // backward accumulates into .grad, and PtGradientCollector does not zero it
        g.subi(g);
      }
      return norm;
    }
  }
}

package org.ovss.plugins.pacl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.ovss.nn.Layers;

/**
 * PACL's vision embedder ê_v, applied token-wise: R^{T, D_v} -> R^{T, D} (PACL paper Section 6.1,
 * Appendix A.1).
 *
 * <ul>
 *   <li>{@link PaclConfig.Embedder#PAPER} (default): "a residual block with two linear layers in the main
 *       branch and a single linear layer in the residual connection ... a ReLU non-linearity between the two
 *       linear layers": out = W2 relu(W1 x + b1) + b2 + (Wr x + br). With D_v = 768, D = 512 and hidden 512
 *       this has 1,050,112 parameters, the paper's "1.1M" for ViT-B/16.
 *   <li>{@link PaclConfig.Embedder#NMS05}: NMS05/Patch-Aligned-Contrastive-Learning {@code model/pacl.py}:
 *       h = Dropout(LayerNorm(x)), out = Wr h + br + W2 gelu(W1 h + b1) + b2.
 * </ul>
 *
 * <p>Parameter names: {@code embedder.main.0.*} (W1), {@code embedder.main.2.*} (W2), {@code
 * embedder.residual.*} (Wr) and, for NMS05, {@code embedder.norm.*}; weights are PyTorch-shaped [out, in].
 * Initialisation (UNSTATED in the paper): PyTorch's {@code nn.Linear} default, U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)) for weights and biases; LayerNorm 1 / 0.
 */
final class PaclEmbedder {
  static final String PREFIX = "embedder.";
  static final String FC1 = PREFIX + "main.0.";
  static final String FC2 = PREFIX + "main.2.";
  static final String RESIDUAL = PREFIX + "residual.";
  static final String NORM = PREFIX + "norm.";

  private PaclEmbedder() {}

  /** Every parameter's name and shape for input width {@code in} and output width {@code out}. */
  static Map<String, Shape> shapes(PaclConfig c, int in, int out) {
    Map<String, Shape> s = new LinkedHashMap<>();
    if (c.embedder() == PaclConfig.Embedder.NMS05) {
      s.put(NORM + "weight", new Shape(in));
      s.put(NORM + "bias", new Shape(in));
    }
    s.put(FC1 + "weight", new Shape(c.hidden(), in));
    s.put(FC1 + "bias", new Shape(c.hidden()));
    s.put(FC2 + "weight", new Shape(out, c.hidden()));
    s.put(FC2 + "bias", new Shape(out));
    s.put(RESIDUAL + "weight", new Shape(out, in));
    s.put(RESIDUAL + "bias", new Shape(out));
    return s;
  }

  /** Seeded initial parameters in {@code m}, in {@link #shapes} order. */
  static Map<String, NDArray> initialize(PaclConfig c, int in, int out, long seed, NDManager m) {
    Random random = new Random(seed);
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : shapes(c, in, out).entrySet()) {
      String name = e.getKey();
      Shape shape = e.getValue();
      float[] v = new float[(int) shape.size()];
      if (name.startsWith(NORM)) {
        Arrays.fill(v, name.endsWith("weight") ? 1f : 0f);
      } else {
        long fanIn = name.startsWith(FC2) ? c.hidden() : in;
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
      }
      params.put(name, m.create(v, shape));
    }
    return params;
  }

  /**
   * The embedded tokens [..., D] of tokens {@code x} [..., D_v].
   *
   * @param dropoutMask for the NMS05 form in training: x-shaped 0 or 1/(1 - p) entries; null otherwise
   */
  static NDArray forward(PaclConfig c, Map<String, NDArray> p, NDArray x, NDArray dropoutMask) {
    NDArray h = x;
    if (c.embedder() == PaclConfig.Embedder.NMS05) {
      h = Layers.layerNorm(h, p.get(NORM + "weight"), p.get(NORM + "bias"), Layers.LN_EPS);
      if (dropoutMask != null) {
        h = h.mul(dropoutMask);
      }
    }
    NDArray hidden = Layers.linear(h, p.get(FC1 + "weight"), p.get(FC1 + "bias"));
    hidden = c.embedder() == PaclConfig.Embedder.PAPER ? Activation.relu(hidden) : Layers.gelu(hidden);
    NDArray main = Layers.linear(hidden, p.get(FC2 + "weight"), p.get(FC2 + "bias"));
    return main.add(Layers.linear(h, p.get(RESIDUAL + "weight"), p.get(RESIDUAL + "bias")));
  }
}

package org.ovss.clip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.ovss.api.InputSpec;

/**
 * CLIP image and text towers. Parameters are addressed by their OpenAI state-dict names
 * ({@link #stateDict()}), which is how every weights format is mapped onto the blocks.
 */
public final class ClipModel extends AbstractBlock {
  private final ClipConfig config;
  private final VisionTransformer visual;
  private final TextTransformer text;
  private final Parameter logitScale;
  private final Map<String, NamedParameter> stateDict;

  public ClipModel(ClipConfig config) {
    this.config = config;
    visual = addChildBlock("visual", new VisionTransformer(config));
    text = addChildBlock("text", new TextTransformer(config));
    logitScale = addParameter(Blocks.weight("logit_scale"));
    Map<String, NamedParameter> names = new LinkedHashMap<>();
    visual.stateDict("visual.", names);
    text.stateDict("", names);
    names.put("logit_scale", new NamedParameter(logitScale, new Shape()));
    stateDict = Collections.unmodifiableMap(names);
  }

  public ClipConfig config() {
    return config;
  }

  public VisionTransformer visual() {
    return visual;
  }

  public TextTransformer text() {
    return text;
  }

  /** Every parameter under its OpenAI name, in a stable order. */
  public Map<String, NamedParameter> stateDict() {
    return stateDict;
  }

  /** Image embeddings [B, E] (CLS token after ln_post and proj), not normalised. */
  public NDArray encodeImage(ParameterStore ps, NDArray images, boolean training) {
    return visual.forwardTokens(ps, images, AttentionMode.VANILLA, training).get(":, 0, :");
  }

  /** Text embeddings [B, E] of token ids [B, L], not normalised. */
  public NDArray encodeText(ParameterStore ps, NDArray ids, boolean training) {
    return text.forward(ps, ids, training);
  }


  /**
   * Writes a [3, res, res] RGB image with values in [0, 1] into {@code out} at {@code offset} with CLIP's
   * mean/std, mirrored left-right when {@code flip} and reduced to its luminance when {@code grey}.
   */
  public static void normalizeImage(float[] rgb, float[] out, int offset, int res, boolean flip, boolean grey) {
    int plane = res * res;
    for (int c = 0; c < 3; c++) {
      float mean = InputSpec.CLIP_MEAN[c];
      float std = InputSpec.CLIP_STD[c];
      for (int y = 0; y < res; y++) {
        for (int x = 0; x < res; x++) {
          int src = y * res + (flip ? res - 1 - x : x);
          float v = grey
              ? 0.299f * rgb[src] + 0.587f * rgb[plane + src] + 0.114f * rgb[2 * plane + src]
              : rgb[c * plane + src];
          out[offset + c * plane + y * res + x] = (v - mean) / std;
        }
      }
    }
  }

  /** The learned log temperature of the contrastive loss. */
  public Parameter logitScale() {
    return logitScale;
  }

  /**
   * Fills every parameter with seeded random values following OpenAI's {@code initialize_parameters}
   * (normal with width-dependent standard deviations, LayerNorm 1/0, biases 0, logit scale log(1/0.07)).
   * Java's generator makes the result the same on every machine and engine.
   */
  public void initializeRandom(NDManager manager, long seed) {
    Random random = new Random(seed);
    double vScale = Math.pow(config.visionWidth(), -0.5);
    double tScale = Math.pow(config.textWidth(), -0.5);
    for (Map.Entry<String, NamedParameter> e : stateDict.entrySet()) {
      String name = e.getKey();
      Parameter p = e.getValue().parameter();
      Shape shape = e.getValue().shape();
      boolean vision = name.startsWith("visual.");
      int width = vision ? config.visionWidth() : config.textWidth();
      int layers = vision ? config.visionLayers() : config.textLayers();
      double attnStd = Math.pow(width, -0.5);
      double projStd = attnStd * Math.pow(2.0 * Math.max(1, layers), -0.5);
      float[] values = new float[(int) shape.size()];
      if (name.equals("logit_scale")) {
        values[0] = (float) Math.log(1 / 0.07);
      } else if (p.getType() == Parameter.Type.GAMMA) {
        java.util.Arrays.fill(values, 1f);
      } else if (p.getType() == Parameter.Type.WEIGHT) {
        double std;
        if (name.endsWith("token_embedding.weight")) {
          std = 0.02;
        } else if (name.equals("positional_embedding")) {
          std = 0.01;
        } else if (name.endsWith("in_proj_weight")) {
          std = attnStd;
        } else if (name.endsWith("out_proj.weight") || name.endsWith("c_proj.weight")) {
          std = projStd;
        } else if (name.endsWith("c_fc.weight")) {
          std = Math.pow(2.0 * width, -0.5);
        } else if (name.equals("text_projection")) {
          std = tScale;
        } else if (name.equals("visual.conv1.weight")) {
          std = Math.pow(3.0 * config.patchSize() * config.patchSize(), -0.5);
        } else {
          std = vScale; // class embedding, positional embedding and proj of the image tower
        }
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * std);
        }
      }
      set(p, manager.create(values, shape));
    }
  }

  /**
   * Gives a parameter its values. DJL lets a parameter take an array only once, so later values are
   * copied into the existing array (which keeps its gradient attachment).
   */
  public static void set(Parameter p, NDArray array) {
    if (!p.isInitialized()) {
      p.setArray(array);
      return;
    }
    if (!p.getArray().getShape().equals(array.getShape())) {
      throw new IllegalArgumentException("parameter " + p.getName() + " has shape " + p.getArray().getShape()
          + ", cannot take " + array.getShape());
    }
    p.getArray().set(array.toByteBuffer());
    array.close();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(encodeImage(ps, inputs.get(0), training), encodeText(ps, inputs.get(1), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {
      new Shape(inputShapes[0].get(0), config.embedDim()), new Shape(inputShapes[1].get(0), config.embedDim())
    };
  }
}

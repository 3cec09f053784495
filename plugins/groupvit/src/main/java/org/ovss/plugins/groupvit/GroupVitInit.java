package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** GroupViT's official initialisation of a model from scratch, seeded. */
public final class GroupVitInit {
  private GroupVitInit() {}

  /**
   * A model of {@code config} with seeded random weights following the official initialisation: truncated
   * normal (std 0.02) for the image encoder's linear layers, positional embedding and group tokens (zero for
   * group tokens that have a projector), PyTorch's default uniform for convolutions and the text MLP biases,
   * CLIP's normal stds for the text transformer, LayerNorm and BatchNorm 1 / 0, running statistics 0 / 1,
   * temperatures log(1 / contrast_temperature). Java's generator makes it the same on every machine.
   */
  public static GroupVitModel random(GroupVitConfig config, NDManager manager, long seed) {
    Random random = new Random(seed);
    Map<String, NDArray> state = new LinkedHashMap<>();
    double width = config.textWidth();
    double attnStd = Math.pow(width, -0.5);
    double projStd = attnStd * Math.pow(2.0 * Math.max(1, config.textLayers()), -0.5);
    double fcStd = Math.pow(2.0 * width, -0.5);
    for (Map.Entry<String, Shape> e : GroupVitStateDict.stateShapes(config).entrySet()) {
      String name = e.getKey();
      Shape shape = e.getValue();
      float[] v = new float[(int) shape.size()];
      if (name.equals("logit_scale") || name.equals("multi_label_logit_scale")) {
        v[0] = (float) Math.log(1 / config.contrastTemperature());
      } else if (name.endsWith("running_var")) {
        Arrays.fill(v, 1f);
      } else if (name.endsWith("running_mean")) {
        // zeros
      } else if (isNorm(name)) {
        if (name.endsWith(".weight")) {
          Arrays.fill(v, 1f);
        }
      } else if (name.endsWith("patch_embed.proj.weight") || name.contains("_projector.linear_")) {
        // nn.Conv2d / nn.Conv1d default: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias alike
        long fanIn = name.endsWith(".bias") ? fanIn(config, name) : shape.size() / shape.get(0);
        uniform(random, v, 1 / Math.sqrt(fanIn));
      } else if (name.endsWith("patch_embed.proj.bias")) {
        uniform(random, v, 1 / Math.sqrt(3.0 * config.patchSize() * config.patchSize()));
      } else if (name.startsWith("img_encoder.")) {
        if (name.endsWith(".group_token") && hasGroupProjector(config, name)) {
          // zero_init_group_token: a stage whose tokens come from a projector starts at zero
        } else if (!name.endsWith(".bias")) {
          truncatedNormal(random, v, 0.02);
        }
      } else if (name.equals("text_encoder.token_embedding.weight")) {
        normal(random, v, 0.02);
      } else if (name.equals("text_encoder.positional_embedding")) {
        normal(random, v, 0.01);
      } else if (name.endsWith("in_proj_weight")) {
        normal(random, v, attnStd);
      } else if (name.endsWith("out_proj.weight") || name.endsWith("c_proj.weight")) {
        normal(random, v, projStd);
      } else if (name.endsWith("c_fc.weight")) {
        normal(random, v, fcStd);
      } else if (name.endsWith("c_fc.bias") || name.endsWith("c_proj.bias")) {
        long fanIn = name.endsWith("c_fc.bias") ? config.textWidth() : 4L * config.textWidth();
        uniform(random, v, 1 / Math.sqrt(fanIn));
      }
      state.put(name, manager.create(v, shape));
    }
    return new GroupVitModel(config, state, 0);
  }

  private static boolean isNorm(String name) {
    String layer = name.substring(0, name.lastIndexOf('.'));
    String last = layer.substring(layer.lastIndexOf('.') + 1);
    return last.startsWith("norm") || last.startsWith("ln_") || layer.endsWith("group_projector.0")
        || (layer.contains("_projector.linear_hidden.") && Integer.parseInt(last) % 3 == 1);
  }

  private static boolean hasGroupProjector(GroupVitConfig c, String groupTokenName) {
    int stage = Integer.parseInt(groupTokenName.split("\\.")[2]);
    return stage > 0;
  }

  private static long fanIn(GroupVitConfig c, String biasName) {
    if (biasName.contains("linear_hidden.0.")) {
      return biasName.startsWith("img_") ? c.embedDim() : c.textWidth();
    }
    if (biasName.contains("linear_out.") && c.projNumLayers() == 1) {
      return biasName.startsWith("img_") ? c.embedDim() : c.textWidth();
    }
    return c.projInnerDim();
  }

  private static void uniform(Random r, float[] v, double bound) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
    }
  }

  private static void normal(Random r, float[] v, double std) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * std);
    }
  }

  /** timm {@code trunc_normal_(std)}: normal, resampled outside the absolute bounds [-2, 2]. */
  private static void truncatedNormal(Random r, float[] v, double std) {
    for (int i = 0; i < v.length; i++) {
      double x;
      do {
        x = r.nextGaussian() * std;
      } while (x < -2 || x > 2);
      v[i] = (float) x;
    }
  }
}

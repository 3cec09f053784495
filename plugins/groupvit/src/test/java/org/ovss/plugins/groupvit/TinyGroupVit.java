package org.ovss.plugins.groupvit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;
import org.ovss.api.TrainingEngine;
import org.ovss.clip.tokenizer.ClipTokenizer;

/** Small models, data and a minimal training engine for the GroupViT tests. */
final class TinyGroupVit {
  private TinyGroupVit() {}

  /** A three-stage GroupViT small enough for unit tests: 32x32 input, patch 8, width 32. */
  static GroupVitConfig config(int vocabSize, int multiLabel) {
    return new GroupVitConfig(32, 8, 32, List.of(1, 1, 1), List.of(2, 2, 2), List.of(8, 4, 0), List.of(8, 4), true, 4.0,
        16, 32, 1, 2, vocabSize, 16, 2, 64, 0.07, multiLabel, false, 1.0);
  }

  /** Training settings over {@link #config}: the keys a user would pass. */
  static Map<String, String> settings(int batch) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("batch-size", Integer.toString(batch));
    s.put("arch.image-size", "32");
    s.put("arch.patch", "8");
    s.put("arch.width", "32");
    s.put("arch.depths", "1,1,1");
    s.put("arch.heads", "2");
    s.put("arch.group-tokens", "8,4,0");
    s.put("arch.output-groups", "8,4");
    s.put("arch.text-width", "32");
    s.put("arch.text-layers", "1");
    s.put("arch.text-heads", "2");
    s.put("arch.context", "16");
    s.put("arch.embed", "16");
    s.put("arch.proj-inner", "64");
    s.put("multi-label", "2");
    return s;
  }

  /** Writes a seeded random checkpoint with a word tokenizer beside it; returns the weights file. */
  static Path writeRandomCheckpoint(Path dir, long seed) {
    List<String> words = new ArrayList<>(List.of("a photo of a dog person in shirt sky drawing the", "a bad photo of a"));
    ClipTokenizer tokenizer = ClipTokenizer.ofWords(words);
    try (NDManager m = NDManager.newBaseManager()) {
      GroupVitModel model = GroupVitInit.random(config(tokenizer.vocabSize(), 0), m, seed);
      Path weights = GroupVitCheckpoint.save(model, dir, Map.of());
      tokenizer.writeHuggingFace(dir);
      return weights;
    }
  }

  /**
   * Eight 32x32 pictures, each one colour on one half and grey on the other, captioned with the colour and
   * a shape word: trivially separable pairs on which a contrastive loss must fall within a few steps.
   */
  static ImageTextSource coloured() {
    String[] colours = {"red", "green", "blue", "yellow", "purple", "orange", "white", "black"};
    float[][] rgb = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {.5f, 0, .5f}, {1, .5f, 0}, {1, 1, 1}, {0, 0, 0}};
    String[] shapes = {"circle", "square", "star", "ring", "heart", "cross", "triangle", "crescent"};
    return new ImageTextSource() {
      @Override
      public int size() {
        return colours.length;
      }

      @Override
      public float[] image(int index) {
        int res = 32;
        float[] img = new float[3 * res * res];
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < res; y++) {
            for (int x = 0; x < res; x++) {
              img[c * res * res + y * res + x] = y < res / 2 ? rgb[index][c] : 0.5f;
            }
          }
        }
        return img;
      }

      @Override
      public int imageHeight(int index) {
        return 32;
      }

      @Override
      public int imageWidth(int index) {
        return 32;
      }

      @Override
      public List<String> captions(int index) {
        return List.of("a " + colours[index] + " " + shapes[index] + " on the wall",
            "photo of a " + shapes[index] + " and a " + colours[index] + " sky");
      }
    };
  }

  /**
   * A minimal {@link TrainingEngine}: Adam without weight decay, updates outside the gradient collector, grads
   * zeroed after each step, export at the end; no checkpoints.
   */
  static final class AdamEngine implements TrainingEngine {
    private final float lr;
    private final boolean collectBeforeBackward;
    final List<Double> losses = new ArrayList<>();

    AdamEngine(float lr) {
      this(lr, false);
    }

    /**
     * @param collectBeforeBackward force a garbage collection between every forward and its backward, so that a
     *     Java buffer only autograd still reads is freed before the backward reads it
     */
    AdamEngine(float lr, boolean collectBeforeBackward) {
      this.lr = lr;
      this.collectBeforeBackward = collectBeforeBackward;
    }

    @Override
    public TrainResult fit(Trainable model, TrainSpec spec, TrainListener listener) {
      Map<String, NDArray> params = model.parameters();
      double last = Double.NaN;
      try (NDManager manager = NDManager.newBaseManager()) {
        Map<String, NDArray[]> moments = new LinkedHashMap<>();
        params.forEach((k, p) -> {
          p.setRequiresGradient(true);
          moments.put(k, new NDArray[] {manager.zeros(p.getShape()), manager.zeros(p.getShape())});
        });
        for (int step = 0; step < spec.steps(); step++) {
          try (NDManager scope = manager.newSubManager()) {
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              loss = model.loss(scope, step, spec.seed());
              if (collectBeforeBackward) {
                collectGarbage();
              }
              gc.backward(loss);
            }
            last = loss.toType(DataType.FLOAT64, false).getDouble();
            losses.add(last);
            int t = step + 1;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
              NDArray p = e.getValue();
              NDArray g = p.getGradient();
              NDArray[] mv = moments.get(e.getKey());
              mv[0].muli(0.9f).addi(g.mul(0.1f));
              mv[1].muli(0.999f).addi(g.square().mul(0.001f));
              NDArray mHat = mv[0].div((float) (1 - Math.pow(0.9, t)));
              NDArray vHat = mv[1].div((float) (1 - Math.pow(0.999, t)));
              p.subi(mHat.div(vHat.sqrt().add(1e-8f)).mul(lr));
              g.subi(g);
            }
          }
          listener.onStep(step + 1, spec.steps(), last, lr);
        }
      }
      return new TrainResult(model.export(spec.outputDir()), spec.steps(), last);
    }
  }

  /** A full collection, and time for the cleaner thread to free the direct buffers it found unreachable. */
  static void collectGarbage() {
    System.gc();
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

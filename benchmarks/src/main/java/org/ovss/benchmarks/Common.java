package org.ovss.benchmarks;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.ClipPresets;

/** Deterministic inputs shared by the benchmarks. */
final class Common {
  /** Offline DJL, set before any benchmark touches the engine (forked JVMs start here too). */
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  private Common() {}

  /** A CLIP of a released architecture with seeded random weights in {@code manager}, no file needed. */
  /**
   * The encoders of a JMH {@code execution} parameter: "pytorch" (null: the caller runs clip-core's blocks), or
   * "onnxruntime-fp32" / "onnxruntime-int8" on ONNX Runtime, exported into the usual cache (OnnxCache.fromEnvironment).
   */
  static org.ovss.clip.onnx.OnnxClipTowers towers(String execution, ClipModel model) {
    if (execution.equals("pytorch")) {
      return null;
    }
    org.ovss.api.Execution.Precision p = execution.endsWith("int8")
        ? org.ovss.api.Execution.Precision.INT8 : org.ovss.api.Execution.Precision.FP32;
    return new org.ovss.clip.onnx.OnnxClipTowers(model,
        new org.ovss.api.Execution(org.ovss.api.Execution.Engine.ONNXRUNTIME, p, "cpu", null),
        org.ovss.clip.onnx.OnnxCache.fromEnvironment());
  }

  static ClipModel randomClip(String arch, NDManager manager) {
    offline();
    ClipModel model = new ClipModel(ClipPresets.get(arch));
    model.initializeRandom(manager, 0L);
    return model;
  }

  static float[] uniform(int n, float scale, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * scale;
    }
    return v;
  }

  /** Per-pixel class probabilities [classes, h, w] from random logits. */
  static float[] probabilities(int classes, int h, int w, long seed) {
    float[] logits = uniform(classes * h * w, 4f, seed);
    int n = h * w;
    float[] p = new float[logits.length];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits[c * n + i]);
      }
      for (int c = 0; c < classes; c++) {
        p[c * n + i] = (float) (Math.exp(logits[c * n + i]) / sum);
      }
    }
    return p;
  }

  /** An integral RGB image [3, h, w] of smooth blobs, as the CRF's appearance kernel reads it. */
  static float[] image(int h, int w, long seed) {
    Random r = new Random(seed);
    float[] img = new float[3 * h * w];
    int cy = r.nextInt(h);
    int cx = r.nextInt(w);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) < h * w / 8;
        for (int c = 0; c < 3; c++) {
          img[c * h * w + y * w + x] = Math.min(255, (inside ? 180 : 60) + c * 20 + r.nextInt(16));
        }
      }
    }
    return img;
  }
}

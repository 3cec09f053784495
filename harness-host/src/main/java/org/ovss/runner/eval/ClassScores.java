package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * From per-query logits to a label map, as SCLIP's {@code postprocess_result}
 * (wangf3014/SCLIP@b56bd30 {@code clip_segmentor.py}):
 * logits x logit scale, softmax over queries, max over each class's synonyms, optional area threshold,
 * argmax, and pixels whose top probability is below the probability threshold set to class 0.
 */
public final class ClassScores {
  private ClassScores() {}

  /** Class probabilities [C, H, W] from per-query logits [Q, H, W]. */
  public static NDArray classProbabilities(NDArray queryLogits, double logitScale, int[] queryClass, int classCount) {
    return maxPerClass(queryLogits.mul(logitScale).softmax(0), queryClass, classCount);
  }

  /** Per-class scores [C, H, W]: the max over each class's channels of {@code scores} [Q, H, W]. */
  public static NDArray maxPerClass(NDArray probs, int[] queryClass, int classCount) {
    if (queryClass.length == classCount) {
      boolean identity = true;
      for (int i = 0; i < queryClass.length; i++) {
        identity &= queryClass[i] == i;
      }
      if (identity) {
        return probs;
      }
    }
    // Slot k holds every class's k-th channel (its first again when it has fewer): as many gathers as the largest
    // synonym list, not one per class.
    List<List<Long>> channels = new ArrayList<>(classCount);
    for (int c = 0; c < classCount; c++) {
      channels.add(new ArrayList<>());
    }
    for (int qi = 0; qi < queryClass.length; qi++) {
      channels.get(queryClass[qi]).add((long) qi);
    }
    int slots = 0;
    for (int c = 0; c < classCount; c++) {
      if (channels.get(c).isEmpty()) {
        throw new IllegalArgumentException("class " + c + " has no channel");
      }
      slots = Math.max(slots, channels.get(c).size());
    }
    NDArray result = null;
    for (int k = 0; k < slots; k++) {
      long[] rows = new long[classCount];
      for (int c = 0; c < classCount; c++) {
        List<Long> own = channels.get(c);
        rows[c] = own.get(k < own.size() ? k : 0);
      }
      NDArray slot = probs.get(probs.getManager().create(rows)); // [C, ...]
      result = result == null ? slot : NDArrays.maximum(result, slot);
    }
    return result;
  }

  /**
   * SCLIP's area threshold: a foreground class whose argmax area is not above {@code areaThreshold} times
   * the total foreground area gets probability 0 everywhere (class 0, background, is never removed).
   */
  public static NDArray applyAreaThreshold(NDArray classProbs, double areaThreshold) {
    int c = (int) classProbs.getShape().get(0);
    long[] argmax = classProbs.argMax(0).toType(DataType.INT64, false).toLongArray();
    long[] area = new long[c];
    for (long a : argmax) {
      area[(int) a]++;
    }
    long foreground = 0;
    for (int k = 1; k < c; k++) {
      foreground += area[k];
    }
    float[] keep = new float[c];
    keep[0] = 1f;
    for (int k = 1; k < c; k++) {
      keep[k] = area[k] > areaThreshold * foreground ? 1f : 0f;
    }
    return classProbs.mul(classProbs.getManager().create(keep, new Shape(c, 1, 1)));
  }

  /**
   * The labels of {@link #labels}({@link #classProbabilities}(...), 0) without computing probabilities: with a
   * positive logit scale the softmax keeps the order of the queries at every pixel, so the class with the top
   * probability is the class of the top query. Saves three full-resolution arrays per image.
   *
   * @param queryAxis the axis of {@code queryLogits} that holds the queries
   */
  public static int[] topQueryClass(NDArray queryLogits, int queryAxis, int[] queryClass) {
    long[] argmax = queryLogits.argMax(queryAxis).toType(DataType.INT64, false).toLongArray();
    int[] labels = new int[argmax.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = queryClass[(int) argmax[i]];
    }
    return labels;
  }

  /**
   * Each pixel's score of its own label: {@code classScores[labels[i], i]} of per-class scores [C, N] (any trailing
   * shape flattened to N pixels).
   */
  public static float[] labelScores(NDArray classScores, int[] labels) {
    float[] all = classScores.toFloatArray();
    int n = labels.length;
    if (all.length % n != 0) {
      throw new IllegalArgumentException(all.length + " scores are not whole classes of " + n + " pixels");
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = all[labels[i] * n + i];
    }
    return out;
  }

  /** Argmax over classes; pixels whose top probability is below {@code probThreshold} become class 0. */
  public static int[] labels(NDArray classProbs, double probThreshold) {
    long[] argmax = classProbs.argMax(0).toType(DataType.INT64, false).toLongArray();
    int[] labels = new int[argmax.length];
    float[] top = probThreshold > 0 ? classProbs.max(new int[] {0}).toFloatArray() : null;
    for (int i = 0; i < labels.length; i++) {
      labels[i] = top != null && top[i] < probThreshold ? 0 : (int) argmax[i];
    }
    return labels;
  }
}

package org.ovss.runner.eval;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one shard of a split adds to its evaluation ({@link Evaluator#shard}): the images evaluated, the intersect,
 * prediction-area and label-area histograms as exact counts, and per feature metric one state per image in the
 * shard's order. Serializable: distributed runs send it from the executors to the driver.
 */
public record ShardSums(long images, long[][] histograms, Map<String, List<double[]>> features) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The sums of {@code parts} together: histograms added, each feature metric's states added into one. */
  public static ShardSums sum(List<ShardSums> parts, int classes) {
    long images = 0;
    long[][] histograms = new long[3][classes];
    Map<String, double[]> features = new LinkedHashMap<>();
    for (ShardSums p : parts) {
      images += p.images();
      for (int k = 0; k < 3; k++) {
        for (int c = 0; c < classes; c++) {
          histograms[k][c] += p.histograms()[k][c];
        }
      }
      p.features().forEach((id, states) -> {
        for (double[] one : states) {
          double[] total = features.computeIfAbsent(id, x -> new double[one.length]);
          for (int i = 0; i < one.length; i++) {
            total[i] += one[i];
          }
        }
      });
    }
    Map<String, List<double[]>> summed = new LinkedHashMap<>();
    features.forEach((id, total) -> summed.put(id, List.of(total)));
    return new ShardSums(images, histograms, summed);
  }
}

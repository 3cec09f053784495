package org.ovss.runner.eval;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What one shard of a split adds to its evaluation ({@link Evaluator#shard}): the images evaluated, the intersect,
 * prediction-area and label-area histograms as exact counts, and per feature metric one state per image in the
 * shard's order. Serializable: distributed runs send it from the executors to the driver.
 */
public record ShardSums(long images, long[][] histograms, Map<String, List<double[]>> features) implements Serializable {
  private static final long serialVersionUID = 1L;
}

package org.ovss.runner.metrics;

/**
 * mmseg's {@code IoUMetric} as an accumulator (open-mmlab/mmsegmentation@01c9623
 * {@code mmseg/evaluation/metrics/iou_metric.py}): per image, pixels whose
 * label is the ignore index are dropped, and intersection / prediction / label areas are histogrammed
 * over [0, C-1] (values outside that range count nowhere, as {@code torch.histc}); the dataset-level
 * sums give IoU = I / U per class, classes with zero union are left out of the mean.
 */
public final class IoUAccumulator {
  private final int classes;
  private final int ignoreIndex;
  private final long[] intersect;
  private final long[] predArea;
  private final long[] labelArea;
  private long images;

  public IoUAccumulator(int classes, int ignoreIndex) {
    this.classes = classes;
    this.ignoreIndex = ignoreIndex;
    intersect = new long[classes];
    predArea = new long[classes];
    labelArea = new long[classes];
  }

  /** Adds one image; {@code pred} and {@code label} are row-major maps of the same size. */
  public void add(int[] pred, int[] label) {
    if (pred.length != label.length) {
      throw new IllegalArgumentException("prediction has " + pred.length + " pixels, label " + label.length);
    }
    for (int i = 0; i < pred.length; i++) {
      int l = label[i];
      if (l == ignoreIndex) {
        continue;
      }
      int p = pred[i];
      boolean pIn = p >= 0 && p < classes;
      if (pIn) {
        predArea[p]++;
      }
      if (l >= 0 && l < classes) {
        labelArea[l]++;
        if (p == l) {
          intersect[l]++;
        }
      }
    }
    images++;
  }

  public long images() {
    return images;
  }

  /** Restores sums saved from {@link #state()} (resumable evaluation). */
  public void restore(long[][] state, long imageCount) {
    System.arraycopy(state[0], 0, intersect, 0, classes);
    System.arraycopy(state[1], 0, predArea, 0, classes);
    System.arraycopy(state[2], 0, labelArea, 0, classes);
    images = imageCount;
  }

  /** Copies of the intersect, prediction-area and label-area histograms. */
  public long[][] state() {
    return new long[][] {intersect.clone(), predArea.clone(), labelArea.clone()};
  }

  /** The metrics of everything added so far. */
  public SegmentationMetrics result() {
    double[] iou = new double[classes];
    double[] acc = new double[classes];
    long inter = 0;
    long lab = 0;
    for (int c = 0; c < classes; c++) {
      long union = predArea[c] + labelArea[c] - intersect[c];
      iou[c] = union == 0 ? Double.NaN : (double) intersect[c] / union;
      acc[c] = labelArea[c] == 0 ? Double.NaN : (double) intersect[c] / labelArea[c];
      inter += intersect[c];
      lab += labelArea[c];
    }
    return new SegmentationMetrics(
        100 * nanMean(iou), 100 * nanMean(acc), lab == 0 ? Double.NaN : 100.0 * inter / lab, iou, acc, images);
  }

  private static double nanMean(double[] v) {
    double sum = 0;
    int n = 0;
    for (double x : v) {
      if (!Double.isNaN(x)) {
        sum += x;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}

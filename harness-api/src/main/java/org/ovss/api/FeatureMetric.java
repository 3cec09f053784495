package org.ovss.api;

/**
 * A metric of a method's dense features against the ground truth, beside mIoU (CLIPpy's bottom-up grouping
 * Jaccard). Discovered through {@link org.ovss.api.plugins.PluginRegistry} (a {@code META-INF/services} entry); a protocol names the ones it reports in {@code
 * featureMetrics}, and the runner feeds each evaluated image's {@link SegmentationMethod#encodeImage} features
 * (whole image, the protocol's resize) with its label map.
 */
public interface FeatureMetric {

  /** Stable lower-case id used in protocols and as the key in {@code results.json} metrics. */
  String id();

  /** What it measures, for tables and help. */
  String description();

  /** A fresh accumulator for one evaluation run. */
  Accumulator start();

  /** Accumulates over the images of one run. */
  interface Accumulator {
    /**
     * Adds one image.
     *
     * @param features dense features [D, h, w] row-major, covering the same field of view as the labels
     * @param labels label map [labelH, labelW] row-major
     * @param ignoreLabel label value of pixels to leave out
     * @param backgroundLabel label value that is background (not a segment), or -1 when there is none
     */
    void add(float[] features, int d, int h, int w, int[] labels, int labelH, int labelW, int ignoreLabel,
        int backgroundLabel);

    /** The metric over the images added so far, in percent; NaN when undefined. */
    double result();

    /**
     * The accumulated sums, for a checkpoint from which an interrupted evaluation resumes: {@link #restore} of
     * them into a fresh accumulator must give the same {@link #result()} and continue identically. Null (the
     * default) means the accumulator cannot be saved, and evaluations using it are not resumable.
     */
    default double[] state() {
      return null;
    }

    /** Restores the sums of {@link #state()} into a fresh accumulator. */
    default void restore(double[] state) {
      throw new UnsupportedOperationException(getClass().getName() + " cannot restore a checkpoint");
    }
  }
}

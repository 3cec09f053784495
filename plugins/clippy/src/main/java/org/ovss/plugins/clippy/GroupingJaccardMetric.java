package org.ovss.plugins.clippy;

import org.ovss.api.FeatureMetric;

/**
 * CLIPpy's bottom-up grouping evaluation as a harness feature metric ({@code grouping-jaccard}): PCA groups of
 * the dense features ({@link BottomUpGrouping}) against the ground-truth segments, mean best IoU per segment,
 * averaged over images; reported in percent.
 */
public final class GroupingJaccardMetric implements FeatureMetric {
  public static final String ID = "grouping-jaccard";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "CLIPpy bottom-up grouping: Jaccard of PCA groups of the dense features against the ground-truth segments";
  }

  @Override
  public Accumulator start() {
    BottomUpGrouping.Mean mean = new BottomUpGrouping.Mean();
    return new Accumulator() {
      @Override
      public void add(float[] features, int d, int h, int w, int[] labels, int labelH, int labelW, int ignoreLabel,
          int backgroundLabel) {
        BottomUpGrouping.Options options = BottomUpGrouping.Options.DEFAULT.withBackground(backgroundLabel);
        if (options.ignoreLabel() != ignoreLabel) {
          options = options.withIgnore(ignoreLabel);
        }
        mean.add(BottomUpGrouping.jaccard(features, d, h, w, labels, labelH, labelW, options));
      }

      @Override
      public double result() {
        return 100 * mean.value();
      }

      @Override
      public double[] state() {
        return mean.state();
      }

      @Override
      public void restore(double[] state) {
        mean.restore(state);
      }
    };
  }
}

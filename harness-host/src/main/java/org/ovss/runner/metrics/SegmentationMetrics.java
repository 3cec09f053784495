package org.ovss.runner.metrics;

/**
 * Dataset-level segmentation metrics; percentages for the means, fractions per class (NaN where a class
 * never occurs in prediction or label).
 */
public record SegmentationMetrics(double mIoU, double mAcc, double aAcc, double[] classIoU, double[] classAcc, long images) {}

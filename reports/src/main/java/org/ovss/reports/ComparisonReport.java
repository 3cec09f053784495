package org.ovss.reports;

import java.util.List;
import org.ovss.leaderboards.Comparison;

/** A comparison of two runs plus the images where their predictions disagree most. */
public record ComparisonReport(Comparison comparison, String generatedAt, List<Disagreement> disagreements) {
  public ComparisonReport {
    disagreements = List.copyOf(disagreements);
  }

  /** The fraction of labelled pixels predicted differently by the two sides, with the overlay that shows it. */
  public record Disagreement(String dataset, String imageId, double fraction, Overlay overlay) {}
}

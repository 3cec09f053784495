package org.ovss.runner.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The demo's leaderboard: mIoU per method and variant (trained / untrained) and synthetic label set. */
public final class DemoBoard {
  public static final String TRAINED = "trained";
  public static final String UNTRAINED = "untrained";

  private final List<String> datasets;
  private final Map<String, Row> rows = new TreeMap<>();
  private final Map<String, Double> zeroShot = new LinkedHashMap<>();

  private static final class Row {
    final String name;
    final String variant;
    final Map<String, Double> mIoU = new LinkedHashMap<>();

    Row(String name, String variant) {
      this.name = name;
      this.variant = variant;
    }
  }

  public DemoBoard(List<String> datasets) {
    this.datasets = List.copyOf(datasets);
  }

  public void add(String displayName, String methodId, String variant, String dataset, Double mIoU) {
    rows.computeIfAbsent(methodId + "/" + variant, k -> new Row(displayName, variant)).mIoU.put(dataset, mIoU);
  }

  private int zeroShotClasses;

  /** Zero-shot accuracy of the backbone CLIP in one variant, over {@code classes} classes. */
  public void zeroShot(String variant, double accuracy, int classes) {
    zeroShot.put(variant, accuracy);
    zeroShotClasses = classes;
  }

  public String markdown(Map<String, Integer> steps, int trainPairs, int valImages, double seconds) {
    StringBuilder md = new StringBuilder("## Synthetic benchmark leaderboard (mIoU %, val split)\n\n");
    md.append("| method | weights |");
    datasets.forEach(d -> md.append(' ').append(d).append(" |"));
    md.append(" mean |\n|---|---|");
    datasets.forEach(d -> md.append("---:|"));
    md.append("---:|\n");
    List<Row> ordered = new ArrayList<>(rows.values());
    ordered.sort((a, b) -> Double.compare(mean(b), mean(a)));
    for (Row r : ordered) {
      md.append("| ").append(r.name).append(" | ").append(r.variant).append(" |");
      for (String d : datasets) {
        Double v = r.mIoU.get(d);
        md.append(' ').append(v == null ? "—" : String.format("%.2f", v)).append(" |");
      }
      md.append(String.format(" %.2f |%n", mean(r)));
    }
    List<String> trained = new ArrayList<>();
    steps.forEach((method, n) -> trained.add(method + " " + n + " steps"));
    md.append(String.format("%nTraining (%s) on %d synthetic pairs; evaluation on %d val images; total %.0f s.%n",
        String.join(", ", trained), trainPairs, valImages, seconds));
    if (!zeroShot.isEmpty()) {
      md.append("Zero-shot shape classification of single-shape val images by the CLIP backbone: ");
      List<String> parts = new ArrayList<>();
      zeroShot.forEach((k, v) -> parts.add(String.format("%s %.1f%%", k, 100 * v)));
      md.append(String.join(", ", parts)).append(" (chance ").append(String.format("%.1f%%", 100.0 / zeroShotClasses)).append(").\n");
    }
    return md.toString();
  }

  private double mean(Row r) {
    double sum = 0;
    int n = 0;
    for (String d : datasets) {
      Double v = r.mIoU.get(d);
      if (v != null) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}

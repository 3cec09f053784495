package org.ovss.runner.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ovss.leaderboards.BoardTable;

/**
 * What the demo says under its board (the board itself is the {@code synth} leaderboard rendered from the result
 * store): the weights variants it evaluates, the training it ran and the backbone's zero-shot accuracy.
 */
public final class DemoBoard {
  /** Weights labels of the demo's rows; the {@code synth} board's rows use the same names. */
  public static final String TRAINED = "trained";
  public static final String UNTRAINED = "untrained";

  private final Map<String, Double> zeroShot = new LinkedHashMap<>();
  private int zeroShotClasses;

  /** Zero-shot accuracy of the backbone CLIP in one variant, over {@code classes} classes. */
  public void zeroShot(String variant, double accuracy, int classes) {
    zeroShot.put(variant, accuracy);
    zeroShotClasses = classes;
  }

  /**
   * The lines under a board of several seeds' demos: what each seed ran, and the backbone's zero-shot accuracy as
   * mean ± sample standard deviation over the seeds, with each seed's figure.
   */
  public static List<String> notesAcrossSeeds(List<DemoBoard> seeds, long firstSeed, Map<String, Integer> steps,
      int trainPairs, int valImages, double seconds) {
    List<String> notes = new ArrayList<>();
    notes.add(String.format(Locale.ROOT, "Mean ± sample standard deviation over %d seeds (%d to %d); each seed generates "
        + "its own benchmark, initialises and trains every method anew.", seeds.size(), firstSeed,
        firstSeed + seeds.size() - 1));
    List<String> trained = new ArrayList<>();
    steps.forEach((method, n) -> trained.add(method + " " + n + " steps"));
    notes.add(String.format(Locale.ROOT, "Training per seed (%s) on %d synthetic pairs; evaluation on %d val images; "
        + "total %.0f s.", String.join(", ", trained), trainPairs, valImages, seconds));
    DemoBoard first = seeds.get(0);
    if (!first.zeroShot.isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (String variant : first.zeroShot.keySet()) {
        List<Double> v = seeds.stream().map(b -> 100 * b.zeroShot.getOrDefault(variant, Double.NaN)).toList();
        List<String> each = v.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList();
        // The same mean and deviation as the board's cells.
        parts.add(String.format(Locale.ROOT, "%s %.1f ± %.1f%% (%s)", variant, BoardTable.mean(v),
            BoardTable.deviation(v), String.join(" / ", each)));
      }
      notes.add("Zero-shot shape classification of single-shape val images by the CLIP backbone (each seed's in "
          + "brackets): " + String.join(", ", parts)
          + String.format(Locale.ROOT, " (chance %.1f%%).", 100.0 / first.zeroShotClasses));
    }
    return notes;
  }

  /** The lines under the board. */
  public List<String> notes(Map<String, Integer> steps, int trainPairs, int valImages, double seconds) {
    List<String> notes = new ArrayList<>();
    List<String> trained = new ArrayList<>();
    steps.forEach((method, n) -> trained.add(method + " " + n + " steps"));
    notes.add(String.format(Locale.ROOT, "Training (%s) on %d synthetic pairs; evaluation on %d val images; total %.0f s.",
        String.join(", ", trained), trainPairs, valImages, seconds));
    if (!zeroShot.isEmpty()) {
      List<String> parts = new ArrayList<>();
      zeroShot.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.1f%%", k, 100 * v)));
      notes.add("Zero-shot shape classification of single-shape val images by the CLIP backbone: " + String.join(", ", parts)
          + String.format(Locale.ROOT, " (chance %.1f%%).", 100.0 / zeroShotClasses));
    }
    return notes;
  }
}

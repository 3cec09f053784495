package org.ovss.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * Whether a dataset root holds what its spec says, before a number is trusted ({@code ovss datasets check}): the
 * split's samples against the official val size, every label value a class or the ignore index, the
 * {@code reduce_zero_label} convention the maps follow against the spec's, image and label sizes, the per-class
 * pixel histogram and the split's SHA-256. {@link #quick} is the part {@code ovss eval} runs before a long run.
 */
public final class DatasetCheck {
  /** Label maps {@link #quick} reads, spread over the split. */
  static final int QUICK_SAMPLES = 8;
  /** Below this many samples a missing last class is no evidence of already-reduced maps. */
  private static final int CONVENTION_MIN_SAMPLES = 50;

  private DatasetCheck() {}

  /**
   * What a full check found.
   *
   * @param problems one line per problem (empty when the data matches the spec)
   * @param notes facts worth knowing that are no problem (another count than the official val split, files outside
 *     the split, classes that never occur)
   * @param samples samples in the split (0 when it could not be listed)
   * @param splitSha256 SHA-256 of the split's ordered ids ({@link DatasetIndex#splitHash}), null when not listed
   * @param classPixels pixels per class after the spec's label rule
   * @param ignorePixels pixels of the ignore index after the rule
   * @param convention the convention the raw values follow: "as stored (0..C-1)", "reduce_zero_label (0 = ignore,
   *     1..C)" or "undetermined"
   */
  public record Report(List<String> problems, List<String> notes, int samples, String splitSha256, long[] classPixels,
      long ignorePixels, String convention) {}

  /** Progress over the samples. */
  public interface Progress {
    void update(int done, int total);
  }

  /** Every sample of the split under {@code root}. */
  public static Report full(DatasetSpec spec, Path root, Progress progress) {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    DatasetIndex index;
    try {
      index = DatasetIndex.open(spec, root);
    } catch (InvalidInputException e) {
      problems.add(e.getMessage());
      return new Report(problems, notes, 0, null, new long[spec.classCount()], 0, "undetermined");
    }
    int n = index.size();
    if (spec.expectedValSize() > 0 && n != spec.expectedValSize()) {
      // A subset is a legitimate root (a quick look, a test set), so this is a note, not a problem.
      notes.add("the split lists " + n + " samples; the official val split of " + spec.name() + " has "
          + spec.expectedValSize() + ", so results on this root are not comparable with published ones");
    }
    countFiles(spec, index, notes);
    long[] raw = new long[256];
    int badFiles = 0;
    int sizeMismatches = 0;
    int unreadable = 0;
    for (int i = 0; i < n; i++) {
      Sample s = index.samples().get(i);
      try {
        LabelMaps.Indices labels = LabelMaps.readIndices(s.label());
        int[] size = ImageDecoding.size(s.image(), "image");
        if (size[0] != labels.height() || size[1] != labels.width()) {
          if (sizeMismatches++ == 0) {
            problems.add("label map " + s.label() + " is " + labels.height() + " x " + labels.width()
                + " (height x width) but its image " + s.image() + " is " + size[0] + " x " + size[1]);
          }
        }
        long[] own = new long[256];
        for (int v : labels.values()) {
          own[v]++;
        }
        int bad = firstBad(spec, own);
        if (bad >= 0 && badFiles++ == 0) {
          int at = indexOf(labels.values(), bad);
          problems.add("label map " + s.label() + " has value " + bad + " at row " + (at / labels.width())
              + ", column " + (at % labels.width()) + ", which is neither a class (" + range(spec) + ") nor the ignore"
              + " index " + spec.ignoreIndex());
        }
        for (int v = 0; v < 256; v++) {
          raw[v] += own[v];
        }
      } catch (InvalidInputException e) {
        if (unreadable++ == 0) {
          problems.add(e.getMessage());
        }
      }
      progress.update(i + 1, n);
    }
    if (badFiles > 1) {
      problems.add(badFiles + " label maps in all hold values outside the classes and the ignore index");
    }
    if (sizeMismatches > 1) {
      problems.add(sizeMismatches + " label maps in all differ in size from their images");
    }
    if (unreadable > 1) {
      problems.add(unreadable + " samples in all could not be read");
    }
    String convention = convention(spec, raw, n, problems);
    long[] classPixels = new long[spec.classCount()];
    long ignore = 0;
    for (int v = 0; v < 256; v++) {
      int label = rule(spec, v);
      if (label == spec.ignoreIndex()) {
        ignore += raw[v];
      } else if (label < spec.classCount()) {
        classPixels[label] += raw[v];
      }
    }
    List<String> never = new ArrayList<>();
    for (int c = 0; c < classPixels.length; c++) {
      if (classPixels[c] == 0) {
        never.add(spec.classes().get(c).name());
      }
    }
    if (!never.isEmpty()) {
      notes.add(never.size() + " class(es) never occur: " + String.join(", ", never));
    }
    return new Report(problems, notes, n, index.splitHash(), classPixels, ignore, convention);
  }

  /**
   * The fast part, before a long evaluation: a few label maps spread over the split (the first and the last
   * included) must have their image's size, hold only classes or the ignore index, and not follow the other
   * {@code reduce_zero_label} convention.
   *
   * @throws InvalidInputException with the reason, naming the file
   */
  public static void quick(DatasetSpec spec, DatasetIndex index) {
    int n = index.size();
    int count = Math.min(n, QUICK_SAMPLES);
    for (int k = 0; k < count; k++) {
      Sample s = index.samples().get(count == 1 ? 0 : (int) ((long) k * (n - 1) / (count - 1)));
      LabelMaps.Indices labels = LabelMaps.readIndices(s.label());
      int[] size = ImageDecoding.size(s.image(), "image");
      if (size[0] != labels.height() || size[1] != labels.width()) {
        throw new InvalidInputException("label map " + s.label() + " is " + labels.height() + " x " + labels.width()
            + " (height x width) but its image " + s.image() + " is " + size[0] + " x " + size[1]
            + " (checked before the run; 'ovss datasets check' checks every sample)");
      }
      long[] own = new long[256];
      for (int v : labels.values()) {
        own[v]++;
      }
      int bad = firstBad(spec, own);
      if (bad >= 0) {
        int at = indexOf(labels.values(), bad);
        String hint = !spec.reduceZeroLabel() && bad == spec.classCount() && own[0] > 0
            ? ": values reach " + bad + " = the number of classes, as in maps that keep 0 for 'ignore' and number"
                + " the classes from 1 (reduce_zero_label); is this the spec of another variant (e.g. context59"
                + " for Context maps with 60 values)?"
            : ": is this the label map of another dataset, or an unconverted one (see 'ovss prepare')?";
        throw new InvalidInputException("dataset '" + spec.name() + "': label map " + s.label() + " has value " + bad
            + " at row " + (at / labels.width()) + ", column " + (at % labels.width()) + ", outside its classes ("
            + range(spec) + ") and ignore index " + spec.ignoreIndex() + hint + " (checked before the run)");
      }
    }
  }

  /** The stored values 0..255 that are valid under the spec's rule: "0..58 (stored 1..59, 0 = ignore)". */
  private static String range(DatasetSpec spec) {
    int c = spec.classCount();
    return spec.reduceZeroLabel() ? "stored 1.." + c + ", read as 0.." + (c - 1) + "; 0 is ignored" : "0.." + (c - 1);
  }

  /** mmseg's reading of a stored value (reduce_zero_label: 0 -> 255, k -> k - 1, 255 stays). */
  private static int rule(DatasetSpec spec, int v) {
    if (!spec.reduceZeroLabel()) {
      return v;
    }
    int r = (v == 0 ? 255 : v) - 1;
    return r == 254 ? 255 : r;
  }

  /** The smallest stored value present that is neither a class nor the ignore index under the rule, or -1. */
  private static int firstBad(DatasetSpec spec, long[] counts) {
    for (int v = 0; v < 256; v++) {
      int r = rule(spec, v);
      if (counts[v] > 0 && r >= spec.classCount() && r != spec.ignoreIndex()) {
        return v;
      }
    }
    return -1;
  }

  private static int indexOf(int[] values, int v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    return -1;
  }

  /** Which convention the stored values follow, with a problem line where it contradicts the spec. */
  private static String convention(DatasetSpec spec, long[] raw, int samples, List<String> problems) {
    int c = spec.classCount();
    int max = -1;
    for (int v = 0; v < 256; v++) {
      if (raw[v] > 0 && v != 255 && v != spec.ignoreIndex()) {
        max = v;
      }
    }
    if (max < 0) {
      return "undetermined";
    }
    if (max == c) {
      if (!spec.reduceZeroLabel()) {
        problems.add("stored values reach " + c + " (the number of classes) with 0 present: the maps follow"
            + " reduce_zero_label (0 = ignore, classes 1.." + c + "), but spec " + spec.name() + " reads them as"
            + " stored (classes 0.." + (c - 1) + ")");
      }
      return "reduce_zero_label (0 = ignore, 1.." + c + ")";
    }
    if (max < c) {
      if (spec.reduceZeroLabel() && raw[0] > 0 && samples >= CONVENTION_MIN_SAMPLES) {
        problems.add("stored values stop at " + max + " and 0 is frequent: the maps look already reduced (classes"
            + " 0.." + (c - 1) + "), but spec " + spec.name() + " applies reduce_zero_label (0 -> ignore, k -> k-1),"
            + " which would shift every class by one");
      }
      return "as stored (0.." + (c - 1) + ")";
    }
    return "undetermined";
  }

  /** Notes on image and label files under the folders that the split does not list. */
  private static void countFiles(DatasetSpec spec, DatasetIndex index, List<String> notes) {
    Layout layout = spec.layout();
    if (layout.splitFile() == null) {
      return;
    }
    long images = countSuffix(index.root().resolve(layout.imageDir()), layout.imageSuffix());
    long labels = countSuffix(index.root().resolve(layout.labelDir()), layout.labelSuffix());
    notes.add(String.format(Locale.ROOT, "%d samples in the split; %d *%s under %s and %d *%s under %s (files outside"
        + " the split are not evaluated)", index.size(), images, layout.imageSuffix(), layout.imageDir(), labels,
        layout.labelSuffix(), layout.labelDir()));
  }

  private static long countSuffix(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    } catch (IOException e) {
      return 0;
    }
  }
}

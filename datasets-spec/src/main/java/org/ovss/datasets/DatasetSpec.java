package org.ovss.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;

/**
 * One benchmark dataset as data: its vocabulary, colours, directory layout and label rules. Built-in specs come from
 * {@link DatasetSpecs#get}, user-defined ones from {@link DatasetSpecs#load}.
 *
 * @param name the name results and leaderboards use ({@code voc21}, {@code ade20k}, ...)
 * @param displayName human-readable name for reports
 * @param classes class k of the label maps, with the names that query it (SCLIP's {@code cls_*.txt} synonyms)
 * @param altClasses the same classes by the plain names GroupViT/SegCLIP prompt with (one query each)
 * @param palette one {@code [r, g, b]} per class, for predictions written as PNGs and overlays
 * @param layout where images, label maps and the split file lie under the data root
 * @param ignoreIndex label value that no metric counts (255 in every built-in spec)
 * @param reduceZeroLabel whether label value 0 is ignored and k becomes k-1 on reading (mmseg {@code reduce_zero_label})
 * @param hasBackground whether class 0 is a background class (what background thresholds fall back to)
 * @param expectedValSize number of samples of the official val split, 0 when unknown
 * @param source where the class names, palette and layout come from
 * @param contentHash SHA-256 of the spec file's bytes, recorded with every result
 */
public record DatasetSpec(String name, String displayName, List<ClassPrompt> classes, List<ClassPrompt> altClasses,
                          int[][] palette, Layout layout, int ignoreIndex, boolean reduceZeroLabel,
                          boolean hasBackground, int expectedValSize, String source, String contentHash) {

  public DatasetSpec {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("dataset spec has no name");
    }
    displayName = displayName == null || displayName.isBlank() ? name : displayName;
    source = source == null ? "" : source;
    classes = List.copyOf(classes);
    altClasses = List.copyOf(altClasses);
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(contentHash, "contentHash");
    String where = "dataset spec '" + name + "': ";
    if (classes.isEmpty()) {
      throw new InvalidInputException(where + "has no classes");
    }
    if (altClasses.size() != classes.size()) {
      throw new InvalidInputException(where + "altClasses has " + altClasses.size() + " entries but classes has "
          + classes.size() + "; class k of both lists must be the same class");
    }
    plainText(where + "displayName", displayName);
    for (int k = 0; k < classes.size(); k++) {
      plainText(where + "classes[" + k + "].name", classes.get(k).name());
      for (String q : classes.get(k).queries()) {
        plainText(where + "classes[" + k + "].queries", q);
      }
      plainText(where + "altClasses[" + k + "]", altClasses.get(k).name());
    }
    palette = copy(palette);
    if (palette.length != classes.size()) {
      throw new InvalidInputException(where + "palette has " + palette.length + " colours for " + classes.size()
          + " classes");
    }
    for (int k = 0; k < palette.length; k++) {
      if (palette[k].length != 3 || Arrays.stream(palette[k]).anyMatch(v -> v < 0 || v > 255)) {
        throw new InvalidInputException(where + "palette entry " + k + " is " + Arrays.toString(palette[k])
            + "; each entry must be [r, g, b] with values 0..255");
      }
    }
    // Label maps are 8-bit (mmseg casts them to uint8), so the ignore value must be a byte that is not a class.
    if (ignoreIndex < classes.size() || ignoreIndex > 255) {
      throw new InvalidInputException(where + "ignoreIndex " + ignoreIndex + " must lie in " + classes.size()
          + "..255 (above every class index, within 8 bits)");
    }
    // mmseg's reduce_zero_label writes the literal 255 (LoadAnnotations._load_seg_map), whatever ignore_index is.
    if (reduceZeroLabel && ignoreIndex != 255) {
      throw new InvalidInputException(where + "reduceZeroLabel maps label 0 to 255, so ignoreIndex must be 255, not "
          + ignoreIndex);
    }
    if (expectedValSize < 0) {
      throw new InvalidInputException(where + "expectedValSize must be >= 0 (0 = unknown), not " + expectedValSize);
    }
  }

  /**
   * Refuses control characters and Unicode direction overrides in names that end up in reports, prompts and
   * terminal output (a class name must not rewrite a table or a console line); HTML is the renderers' to escape.
   */
  private static void plainText(String where, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        throw new InvalidInputException(where + " '" + text.replaceAll("[\\p{Cntrl}\u202A-\u202E\u2066-\u2069]", "?")
            + "' contains the control character U+" + String.format("%04X", (int) c) + " at index " + i);
      }
    }
  }

  /** Number of classes (C): label values 0..C-1 are classes, {@link #ignoreIndex} is ignored. */
  public int classCount() {
    return classes.size();
  }

  /** The palette, one {@code [r, g, b]} per class (a copy: the spec stays immutable). */
  @Override
  public int[][] palette() {
    return copy(palette);
  }

  private static int[][] copy(int[][] rows) {
    int[][] out = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetSpec s && name.equals(s.name) && displayName.equals(s.displayName)
        && classes.equals(s.classes) && altClasses.equals(s.altClasses) && Arrays.deepEquals(palette, s.palette)
        && layout.equals(s.layout) && ignoreIndex == s.ignoreIndex && reduceZeroLabel == s.reduceZeroLabel
        && hasBackground == s.hasBackground && expectedValSize == s.expectedValSize && source.equals(s.source)
        && contentHash.equals(s.contentHash);
  }

  @Override
  public int hashCode() {
    // The content hash already covers every field of a spec read from a file.
    return Objects.hash(name, contentHash);
  }

  @Override
  public String toString() {
    return "DatasetSpec[" + name + ", " + classes.size() + " classes, sha256 " + contentHash + "]";
  }
}

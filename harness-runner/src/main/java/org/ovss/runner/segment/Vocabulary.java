package org.ovss.runner.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.Layout;
import org.ovss.datasets.Sha256;

/**
 * A user's class list for {@code ovss segment} as a dataset spec without data: the classes (each with its synonyms,
 * {@code "person;man;woman"}: the first names the class, all of them query it, as the dataset specs' synonym lists),
 * an optional background class 0 and a palette.
 */
public final class Vocabulary {
  /** Name of the spec the classes become (no protocol has per-dataset settings under this name). */
  public static final String NAME = "segment";

  private Vocabulary() {}

  /**
   * The classes of comma-separated entries (each {@code name;synonym;...}).
   *
   * @param entries one or more strings of comma-separated classes, in order
   * @param where what the entries come from, for error messages ({@code --classes}, a file name)
   */
  public static List<ClassPrompt> parse(List<String> entries, String where) {
    List<ClassPrompt> classes = new ArrayList<>();
    for (String entry : entries) {
      for (String one : entry.split(",", -1)) {
        if (one.isBlank()) {
          throw new InvalidInputException(where + " has an empty class name in '" + entry + "'");
        }
        List<String> names = new ArrayList<>();
        for (String synonym : one.split(";", -1)) {
          if (synonym.isBlank()) {
            throw new InvalidInputException(where + " has an empty synonym in '" + one.strip() + "'");
          }
          names.add(synonym.strip());
        }
        classes.add(new ClassPrompt(names.get(0), names));
      }
    }
    if (classes.isEmpty()) {
      throw new InvalidInputException(where + " names no classes");
    }
    return classes;
  }

  /** The classes of a file: one or more classes per line (comma-separated, {@code ;} between synonyms), {@code #} comments. */
  public static List<ClassPrompt> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read --classes-file " + file + ": " + e.getMessage(), e);
    }
    List<String> entries = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    if (entries.isEmpty()) {
      throw new InvalidInputException("--classes-file " + file + " names no classes");
    }
    return parse(entries, "--classes-file " + file);
  }

  /**
   * The spec segmenting with {@code classes}: with {@code background} (its query names, none for the name
   * "background" alone) class 0 is a background class queried by those names and the classes follow from 1.
   */
  public static DatasetSpec spec(List<ClassPrompt> classes, List<String> background) {
    List<ClassPrompt> all = new ArrayList<>();
    if (background != null) {
      all.add(new ClassPrompt("background", background.isEmpty() ? List.of("background") : background));
    }
    all.addAll(classes);
    Set<String> seen = new HashSet<>();
    for (ClassPrompt c : all) {
      if (!seen.add(c.name())) {
        throw new InvalidInputException("class '" + c.name() + "' is named twice");
      }
    }
    if (all.size() > 255) {
      throw new InvalidInputException(all.size() + " classes do not fit in an 8-bit label map (at most 255)");
    }
    int[][] palette = new int[all.size()][];
    // VOC's colour map: background black, the classes in its colours (without background, from its class 1 on).
    int shift = background != null ? 0 : 1;
    for (int k = 0; k < palette.length; k++) {
      palette[k] = vocColour(k + shift);
    }
    List<ClassPrompt> alt = all.stream().map(c -> ClassPrompt.of(c.name())).toList();
    String hash = Sha256.hex(all.toString().getBytes(StandardCharsets.UTF_8));
    return new DatasetSpec(NAME, "your classes", all, alt, palette,
        new Layout("images", ".jpg", "labels", ".png", null, false), 255, false, background != null, 0,
        "ovss segment --classes", hash);
  }

  /** Colour {@code k} of the PASCAL VOC colour map (the bits of k spread over r, g, b from the top bit down). */
  static int[] vocColour(int k) {
    int r = 0;
    int g = 0;
    int b = 0;
    int c = k;
    for (int j = 7; j >= 0; j--) {
      r |= (c & 1) << j;
      g |= ((c >> 1) & 1) << j;
      b |= ((c >> 2) & 1) << j;
      c >>= 3;
    }
    return new int[] {r, g, b};
  }
}

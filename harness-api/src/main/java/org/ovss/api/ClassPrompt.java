package org.ovss.api;

import java.util.List;

/**
 * One class of a vocabulary with the names that query it.
 *
 * @param name display name of the class
 * @param queries names encoded as text queries (synonyms); the class score is the maximum over them,
 *     as in SCLIP's {@code cls_*.txt} files where one line holds comma-separated synonyms
 */
public record ClassPrompt(String name, List<String> queries) {

  public ClassPrompt {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("class name must not be empty");
    }
    queries = List.copyOf(queries);
    if (queries.isEmpty()) {
      throw new InvalidInputException("class '" + name + "' has no query names");
    }
  }

  /** A class queried by its own name only. */
  public static ClassPrompt of(String name) {
    return new ClassPrompt(name, List.of(name));
  }

  /** Parses one SCLIP name-file line: synonyms separated by {@code ", "}, the first is the display name. */
  public static ClassPrompt parseLine(String line) {
    List<String> names = List.of(line.strip().split(", "));
    return new ClassPrompt(names.get(0), names);
  }
}

package org.ovss.nn;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.ovss.api.InvalidInputException;

/**
 * Typed reads of NAME=VALUE settings (a method's training settings, its options) with one error format: {@code
 * <kind> '<key>' must be <what>, got '<value>'}, an {@link InvalidInputException} (exit status 2). Values are
 * stripped before they are parsed; an absent key gives the fallback.
 */
public final class SettingsReader {
  /** The kind of training settings ({@code -s NAME=VALUE} of {@code ovss train} and {@code ovss demo}). */
  public static final String TRAINING = "training setting";
  /** The kind of a method's options ({@code -o NAME=VALUE}). */
  public static final String OPTION = "option";

  private final String kind;
  private final Map<String, String> values;

  public SettingsReader(String kind, Map<String, String> values) {
    this.kind = kind;
    this.values = values;
  }

  /** Training settings. */
  public static SettingsReader training(Map<String, String> values) {
    return new SettingsReader(TRAINING, values);
  }

  /** The error of {@code key}, whose value is not {@code what}. */
  public InvalidInputException invalid(String key, String what) {
    return new InvalidInputException(kind + " '" + key + "' must be " + what + ", got '" + values.get(key) + "'");
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The stripped value, if any. */
  public Optional<String> text(String key) {
    String v = values.get(key);
    return v == null ? Optional.empty() : Optional.of(v.strip());
  }

  /** A path; absent or blank gives none. */
  public Optional<Path> path(String key) {
    return text(key).filter(v -> !v.isEmpty()).map(Path::of);
  }

  /** A whole number of at least {@code min} ("2", "2.0" and "2e0" all read as 2), if present. */
  public OptionalInt whole(String key, int min) {
    String v = values.get(key);
    if (v == null) {
      return OptionalInt.empty();
    }
    try {
      double d = Double.parseDouble(v.strip());
      if (d == Math.rint(d) && d >= min && d <= Integer.MAX_VALUE) {
        return OptionalInt.of((int) d);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, "a whole number of at least " + min);
  }

  /** A whole number of at least {@code min}, or {@code fallback}. */
  public int whole(String key, int fallback, int min) {
    return whole(key, min).orElse(fallback);
  }

  /** A finite number, or {@code fallback}. */
  public double number(String key, double fallback) {
    return number(key, fallback, Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true, "a finite number");
  }

  /** A number above 0, or {@code fallback}. */
  public double positive(String key, double fallback) {
    return number(key, fallback, 0, false, Double.POSITIVE_INFINITY, true, "a positive number");
  }

  /** A number of at least 0, or {@code fallback}. */
  public double nonNegative(String key, double fallback) {
    return number(key, fallback, 0, true, Double.POSITIVE_INFINITY, true, "a number of at least 0");
  }

  /** A finite float parsed as {@link Float#parseFloat} parses it (no detour through double), or {@code fallback}. */
  public float finiteFloat(String key, float fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      float f = Float.parseFloat(v.strip());
      if (Float.isFinite(f)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, "a finite number");
  }

  /** A comma-separated list of integers, or {@code fallback}. */
  public List<Integer> integers(String key, List<Integer> fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Arrays.stream(v.split(",")).map(String::strip).map(Integer::parseInt).toList();
    } catch (NumberFormatException e) {
      throw invalid(key, "a comma-separated list of integers");
    }
  }

  /** A number in [0, 1), or {@code fallback}. */
  public double fraction(String key, double fallback) {
    return number(key, fallback, 0, true, 1, false, "a number in [0, 1)");
  }

  /**
   * A finite number from {@code lo} (inclusive when {@code loInclusive}) to {@code hi} (inclusive; infinite or {@link
   * Double#MAX_VALUE} for no bound), or {@code fallback}.
   */
  public double number(String key, double fallback, double lo, double hi, boolean loInclusive) {
    boolean open = hi == Double.MAX_VALUE || hi == Double.POSITIVE_INFINITY;
    return number(key, fallback, lo, loInclusive, hi, true,
        "a number in " + (loInclusive ? "[" : "(") + lo + ", " + (open ? "inf)" : hi + "]"));
  }

  private double number(String key, double fallback, double lo, boolean loIn, double hi, boolean hiIn, String what) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw invalid(key, what);
    }
    boolean ok = Double.isFinite(d) && (loIn ? d >= lo : d > lo) && (hiIn ? d <= hi : d < hi);
    if (!ok) {
      throw invalid(key, what);
    }
    return d;
  }

  /** One of {@code allowed} (exactly, after stripping), or {@code fallback}. */
  public String choice(String key, String fallback, List<String> allowed) {
    String v = text(key).orElse(fallback);
    if (!allowed.contains(v)) {
      throw invalid(key, "one of " + allowed);
    }
    return v;
  }

  /** true or false (any case), or {@code fallback}. */
  public boolean flag(String key, boolean fallback) {
    return text(key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(key, "true or false");
    }).orElse(fallback);
  }
}

package org.ovss.postprocess;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.ovss.api.InvalidInputException;

/** Validation of the string parameters handed to a {@link org.ovss.api.PostProcessorProvider}. */
final class Parameters {
  private final String owner;
  private final Map<String, String> values;

  private Parameters(String owner, Map<String, String> values) {
    this.owner = owner;
    this.values = values;
  }

  /**
   * The defaults overridden by {@code given}; a name that is not among the defaults fails, listing the accepted
   * ones.
   */
  static Parameters of(String owner, Map<String, String> defaults, Map<String, String> given) {
    Objects.requireNonNull(given, "parameters");
    Map<String, String> merged = new LinkedHashMap<>(defaults);
    for (Map.Entry<String, String> e : given.entrySet()) {
      if (!defaults.containsKey(e.getKey())) {
        throw new InvalidInputException("unknown parameter '" + e.getKey() + "' for " + owner + "; accepted: "
            + String.join(", ", new TreeSet<>(defaults.keySet())));
      }
      merged.put(e.getKey(), e.getValue());
    }
    return new Parameters(owner, merged);
  }

  int positiveInt(String name) {
    String v = raw(name);
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the parameter's name
    }
    throw invalid(name, v, "a positive integer");
  }

  float positiveFloat(String name) {
    String v = raw(name);
    try {
      double x = Double.parseDouble(v.trim());
      if (x > 0 && x <= Float.MAX_VALUE) {
        return (float) x;
      }
    } catch (NumberFormatException e) {
      // reported below with the parameter's name
    }
    throw invalid(name, v, "a positive finite number");
  }

  /** A comma-separated list of positive integers, at least one. */
  int[] positiveInts(String name) {
    String v = raw(name);
    String[] parts = v.split(",", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw invalid(name, v, "a comma-separated list of positive integers");
      }
      if (out[i] <= 0) {
        throw invalid(name, v, "a comma-separated list of positive integers");
      }
    }
    return out;
  }

  private String raw(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new InvalidInputException("parameter '" + name + "' for " + owner + " has no value");
    }
    return v;
  }

  private InvalidInputException invalid(String name, String value, String expected) {
    return new InvalidInputException(
        "parameter '" + name + "' for " + owner + " must be " + expected + ", got '" + value + "'");
  }
}

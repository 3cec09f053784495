package org.ovss.api;

import java.util.Collection;
import java.util.List;

/** A named thing (method, dataset, protocol, prompt set) does not exist; the message lists those that do. */
public class UnknownNameException extends OvssException {
  private static final long serialVersionUID = 1L;

  private final List<String> available;

  public UnknownNameException(String kind, String name, Collection<String> available) {
    super("unknown " + kind + " '" + name + "'; available: " + String.join(", ", available.stream().sorted().toList()));
    this.available = List.copyOf(available);
  }

  public List<String> available() {
    return available;
  }
}

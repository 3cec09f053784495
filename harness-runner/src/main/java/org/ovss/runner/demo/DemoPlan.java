package org.ovss.runner.demo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;

/** What {@code ovss demo} trains in which order, and which of the {@code -s} settings each method sees. */
public final class DemoPlan {
  private DemoPlan() {}

  /**
   * The settings of one method: every unscoped {@code NAME=VALUE}, then its own {@code METHOD:NAME=VALUE} (which
   * win). Settings scoped to other methods are left out, so each method sees only keys meant for it.
   */
  public static Map<String, String> settingsFor(String method, Map<String, String> settings) {
    Map<String, String> own = new LinkedHashMap<>();
    Map<String, String> scoped = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      int colon = key.indexOf(':');
      if (colon < 0) {
        own.put(key, value);
      } else if (key.substring(0, colon).equals(method)) {
        scoped.put(key.substring(colon + 1), value);
      }
    });
    own.putAll(scoped);
    return own;
  }

  /** The methods that train, each after the method it trains from (discovery order otherwise). */
  public static List<MethodProvider> trainingOrder(Collection<MethodProvider> providers) {
    Map<String, MethodProvider> trainable = new LinkedHashMap<>();
    for (MethodProvider p : providers) {
      if (p.info().has(Capability.TRAIN)) {
        trainable.put(p.id(), p);
      }
    }
    List<MethodProvider> order = new ArrayList<>();
    Set<String> visiting = new HashSet<>();
    for (MethodProvider p : trainable.values()) {
      visit(p, trainable, order, visiting);
    }
    return order;
  }

  private static void visit(MethodProvider p, Map<String, MethodProvider> trainable, List<MethodProvider> order,
      Set<String> visiting) {
    if (order.contains(p)) {
      return;
    }
    if (!visiting.add(p.id())) {
      throw new InvalidInputException("methods train from each other in a cycle through '" + p.id() + "'");
    }
    Optional<String> from = p.info().trainsFrom();
    if (from.isPresent() && trainable.containsKey(from.get())) {
      visit(trainable.get(from.get()), trainable, order, visiting);
    }
    order.add(p);
  }
}

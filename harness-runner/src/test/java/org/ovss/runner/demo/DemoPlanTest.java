package org.ovss.runner.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.api.Capability;
import org.ovss.api.MethodProvider;
import org.ovss.runner.MethodRegistry;

class DemoPlanTest {
  @Test
  void settingsScopedToAMethodReachOnlyThatMethod() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("lr", "1e-3");
    settings.put("groupvit:batch-size", "16");
    settings.put("groupvit:lr", "2e-3");
    settings.put("segclip:mask-ratio", "0.5");
    assertThat(DemoPlan.settingsFor("groupvit", settings)).containsExactly(
        Map.entry("lr", "2e-3"), Map.entry("batch-size", "16"));
    assertThat(DemoPlan.settingsFor("clip", settings)).containsExactly(Map.entry("lr", "1e-3"));
  }

  /** Every trainable method comes after the method it trains from, and only trainable methods are listed. */
  @Test
  void methodsTrainAfterTheirBackbone() {
    List<MethodProvider> order = DemoPlan.trainingOrder(MethodRegistry.discover().all());
    List<String> ids = new ArrayList<>();
    for (MethodProvider p : order) {
      assertThat(p.info().has(Capability.TRAIN)).as(p.id()).isTrue();
      p.info().trainsFrom().ifPresent(from -> assertThat(ids).as(p.id() + " after " + from).contains(from));
      ids.add(p.id());
    }
    assertThat(ids).contains("clip", "pacl", "segclip");
    assertThat(ids.indexOf("clip")).isLessThan(ids.indexOf("pacl"));
  }
}

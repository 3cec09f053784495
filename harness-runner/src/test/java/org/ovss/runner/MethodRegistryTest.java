package org.ovss.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ovss.api.Capability;
import org.ovss.api.MethodProvider;
import org.ovss.api.UnknownNameException;

class MethodRegistryTest {

  @Test
  void discoversTheTrainingFreePluginsThroughServiceLoader() {
    MethodRegistry registry = MethodRegistry.discover();
    assertThat(registry.all()).extracting(MethodProvider::id).contains("clip", "maskclip", "sclip");
    for (String id : new String[] {"maskclip", "sclip"}) {
      assertThat(registry.get(id).info().capabilities())
          .containsExactlyInAnyOrder(Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME);
    }
    assertThat(registry.get("clip").info().capabilities())
        .containsExactlyInAnyOrder(Capability.TRAIN, Capability.ENCODE, Capability.SEGMENT, Capability.ONNXRUNTIME);
  }

  @Test
  void unknownIdFailsListingTheIdsThatExist() {
    MethodRegistry registry = MethodRegistry.discover();
    assertThatThrownBy(() -> registry.get("sclp"))
        .isInstanceOf(UnknownNameException.class)
        .hasMessageContaining("unknown method 'sclp'")
        .hasMessageContaining("available: clip, clippy, groupvit, maskclip, pacl, sclip, segclip, simseg");
  }
}

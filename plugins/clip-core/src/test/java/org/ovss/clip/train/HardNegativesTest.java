package org.ovss.clip.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HardNegativesTest {
  private final HardNegatives negatives = new HardNegatives(List.of(
      List.of("circle", "square", "star"), List.of("circles", "squares", "stars")));

  @Test
  void swapsTheOnlyClassWordForEachOtherWordOfItsSet() {
    Set<String> seen = new HashSet<>();
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      seen.add(negatives.swap("a red circle on the grass.", random).orElseThrow());
    }
    assertThat(seen).containsExactlyInAnyOrder("a red square on the grass.", "a red star on the grass.");
  }

  @Test
  void keepsTheFormOfTheWordItSwapsAndNeverUsesOneTheCaptionHas() {
    Set<String> seen = new HashSet<>();
    Random random = new Random(2);
    for (int i = 0; i < 200; i++) {
      seen.add(negatives.swap("two circles and a star", random).orElseThrow());
    }
    // "circles" -> squares or stars (its plural set); "star" -> circle or square (the singular set, less "star").
    assertThat(seen).containsExactlyInAnyOrder("two squares and a star", "two stars and a star",
        "two circles and a square", "two circles and a circle");
  }

  @Test
  void keepsACapitalAndLeavesWordsThatOnlyContainAClassWordAlone() {
    Random random = new Random(3);
    for (int i = 0; i < 50; i++) {
      String swapped = negatives.swap("Circle near starfish", random).orElseThrow();
      assertThat(swapped).isIn("Square near starfish", "Star near starfish");
    }
  }

  @Test
  void aCaptionWithoutClassWordsOrWithoutAlternativesHasNoNegative() {
    Random random = new Random(4);
    assertThat(negatives.swap("a blue sky", random)).isEqualTo(Optional.empty());
    HardNegatives one = new HardNegatives(List.of(List.of("circle", "star")));
    assertThat(one.swap("a circle and a star", random)).isEmpty();
    assertThat(one.isEmpty()).isFalse();
    assertThat(new HardNegatives(List.of()).isEmpty()).isTrue();
    assertThat(new HardNegatives(List.of(List.of("circle"))).isEmpty()).isTrue();
  }
}

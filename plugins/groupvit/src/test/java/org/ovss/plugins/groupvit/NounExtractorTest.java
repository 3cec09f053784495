package org.ovss.plugins.groupvit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NounExtractorTest {
  private final NounExtractor extractor = new NounExtractor();

  @Test
  void takesTheHeadOfEachPhraseSingularWithoutColoursOrNumbers() {
    assertThat(extractor.nouns("A red star, two circles and a blue ring on green grass."))
        .containsExactly("star", "circle", "ring", "grass");
  }

  @Test
  void skipsPictureWordsStopwordsAndLinkingVerbs() {
    assertThat(extractor.nouns("a photo of three crosses floating on the sea")).containsExactly("cross", "sea");
    assertThat(extractor.nouns("Close-up of a heart")).containsExactly("heart");
    assertThat(extractor.nouns("a drawing of an orange crescent against a grey wall")).containsExactly("crescent", "wall");
  }

  @Test
  void returnsEachNounOnceInOrderOfAppearance() {
    assertThat(extractor.nouns("a square, two squares and a square on the beach")).containsExactly("square", "beach");
  }

  @Test
  void captionsWithoutNounsGiveNothing() {
    assertThat(extractor.nouns("a photo of two")).isEmpty();
    assertThat(extractor.nouns("")).isEmpty();
  }

  @Test
  void singularisesRegularAndIrregularPlurals() {
    assertThat(NounExtractor.singular("boxes")).isEqualTo("box");
    assertThat(NounExtractor.singular("puppies")).isEqualTo("puppy");
    assertThat(NounExtractor.singular("triangles")).isEqualTo("triangle");
    assertThat(NounExtractor.singular("people")).isEqualTo("person");
    assertThat(NounExtractor.singular("grass")).isEqualTo("grass");
    assertThat(NounExtractor.singular("bus")).isEqualTo("bus");
  }
}

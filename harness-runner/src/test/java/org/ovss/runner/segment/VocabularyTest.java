package org.ovss.runner.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.DatasetSpec;

class VocabularyTest {
  @TempDir Path dir;

  @Test
  void synonymsFollowTheFirstNameAndBackgroundBecomesClassZero() {
    List<ClassPrompt> classes = Vocabulary.parse(List.of(" person ; man;woman, dog "), "--classes");
    assertThat(classes).containsExactly(new ClassPrompt("person", List.of("person", "man", "woman")),
        ClassPrompt.of("dog"));
    DatasetSpec withBackground = Vocabulary.spec(classes, List.of("sky", "wall"));
    assertThat(withBackground.hasBackground()).isTrue();
    assertThat(withBackground.classes().get(0)).isEqualTo(new ClassPrompt("background", List.of("sky", "wall")));
    // VOC's colour map: background black, then VOC's class colours.
    assertThat(withBackground.palette()).isDeepEqualTo(new int[][] {{0, 0, 0}, {128, 0, 0}, {0, 128, 0}});
    DatasetSpec plain = Vocabulary.spec(classes, null);
    assertThat(plain.hasBackground()).isFalse();
    assertThat(plain.palette()).isDeepEqualTo(new int[][] {{128, 0, 0}, {0, 128, 0}});
    assertThat(Vocabulary.spec(classes, List.of()).classes().get(0).queries()).containsExactly("background");
    assertThat(Vocabulary.vocColour(15)).containsExactly(192, 128, 128); // VOC's person
  }

  @Test
  void aClassesFileHoldsClassesPerLineWithComments() throws Exception {
    Path file = dir.resolve("classes.txt");
    Files.writeString(file, "# my classes\ncat;kitten\n\ndog, grass\n");
    assertThat(Vocabulary.read(file)).containsExactly(new ClassPrompt("cat", List.of("cat", "kitten")),
        ClassPrompt.of("dog"), ClassPrompt.of("grass"));
  }

  @Test
  void emptyNamesAndRepeatsAreRefused() {
    assertThatThrownBy(() -> Vocabulary.parse(List.of("cat,,dog"), "--classes"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--classes has an empty class name");
    assertThatThrownBy(() -> Vocabulary.parse(List.of("cat;;kitten"), "--classes"))
        .hasMessageContaining("empty synonym in 'cat;;kitten'");
    assertThatThrownBy(() -> Vocabulary.spec(Vocabulary.parse(List.of("cat,dog,cat"), "--classes"), null))
        .hasMessageContaining("class 'cat' is named twice");
  }
}

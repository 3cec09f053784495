package org.ovss.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovss.clip.ParityFixture;
import org.ovss.fixtures.Fixtures;

/**
 * Token ids must equal those of OpenAI CLIP's tokenizer on the cases of {@code
 * tokenizer-cases.json} in the parity fixture directory.
 */
class ClipTokenizerParityTest {
  @BeforeAll
  static void clipFixtureSet() {
    ParityFixture.assumeClipFixtureSet();
  }


  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = ClipTokenizer.fromBpeGz(bpeGz());
  }

  static Path parityDir() {
    return Fixtures.parityDir("clip-tiny");
  }

  /** CLIP's merge list as clip-core bundles it. */
  static Path bpeGz() {
    return Fixtures.bpeFile();
  }

  static Stream<Arguments> parityCases() throws IOException {
    Path file = parityDir().resolve("tokenizer-cases.json");
    assertThat(file).as("parity cases (set -Dovss.parity.dir)").isRegularFile();
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    int contextLength = root.get("context_length").asInt();
    return StreamSupport.stream(root.get("cases").spliterator(), false)
        .map(
            c ->
                Arguments.of(
                    c.get("text").asText(),
                    StreamSupport.stream(c.get("ids").spliterator(), false)
                        .mapToInt(JsonNode::asInt)
                        .toArray(),
                    contextLength));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parityCases")
  void matchesClip(String text, int[] expected, int contextLength) {
    int[] actual = tokenizer.tokenize(text, contextLength);

    assertThat(actual).hasSize(contextLength);
    assertThat(Arrays.copyOf(actual, expected.length)).containsExactly(expected);
    assertThat(IntStream.of(actual).skip(expected.length)).allMatch(id -> id == 0);
  }

  @Test
  void hasClipVocabulary() {
    assertThat(tokenizer.vocabSize()).isEqualTo(49408);
    assertThat(tokenizer.sotToken()).isEqualTo(49406);
    assertThat(tokenizer.eotToken()).isEqualTo(49407);
  }
}

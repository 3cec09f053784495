package org.ovss.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClipTokenizerTest {

  private static final List<String> SENTENCES =
      List.of(
          "a photo of a dog.",
          "a bad photo of the television monitor.",
          "Hello,   WORLD!!  it's 3:45pm",
          "na\u00EFve caf\u00E9 d\u00E9j\u00E0 vu",
          "\u6771\u4EAC\u30BF\u30EF\u30FC and \uD83D\uDC36 emoji",
          "a close-up photo of the sky.");

  private static ClipTokenizer clip;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    clip = ClipTokenizer.fromBpeGz(ClipTokenizerParityTest.bpeGz());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a photo of a dog.", "it's 3:45pm", "na\u00EFve caf\u00E9", "\u6771\u4EAC \uD83D\uDC36"
      })
  void decodeInvertsEncode(String text) {
    int[] ids = clip.encode(text);

    String decoded = clip.decode(ids);

    // Decoding ends every word with a space, so compare without spaces.
    assertThat(decoded.replace(" ", "")).isEqualTo(text.toLowerCase().replace(" ", ""));
    assertThat(clip.encode(decoded)).containsExactly(ids);
  }

  @Test
  void decodesWordsSeparatedBySpaces() {
    assertThat(clip.decode(clip.encode("A photo of a dog."))).isEqualTo("a photo of a dog . ");
  }

  @Test
  void framesAndPadsToContextLength() {
    int[] ids = clip.encode("a photo of a dog.");

    int[] tokens = clip.tokenize("a photo of a dog.", 77);

    assertThat(tokens).hasSize(77);
    assertThat(tokens[0]).isEqualTo(clip.sotToken());
    assertThat(Arrays.copyOfRange(tokens, 1, ids.length + 1)).containsExactly(ids);
    assertThat(tokens[ids.length + 1]).isEqualTo(clip.eotToken());
    assertThat(IntStream.of(tokens).skip(ids.length + 2)).allMatch(id -> id == 0);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 5, 77})
  void truncatesLongTextAndEndsWithEndToken(int contextLength) {
    String text = "a photo of a " + "very ".repeat(100) + "big dog.";
    int[] ids = clip.encode(text);

    int[] tokens = clip.tokenize(text, contextLength);

    assertThat(tokens).hasSize(contextLength);
    assertThat(tokens[0]).isEqualTo(clip.sotToken());
    assertThat(tokens[contextLength - 1]).isEqualTo(clip.eotToken());
    assertThat(Arrays.copyOfRange(tokens, 1, contextLength - 1))
        .containsExactly(Arrays.copyOf(ids, contextLength - 2));
  }

  @Test
  void textThatJustFitsIsNotTruncated() {
    String text = "dog ".repeat(75);

    int[] tokens = clip.tokenize(text, 77);

    assertThat(clip.encode(text)).hasSize(75);
    assertThat(tokens[75]).isNotEqualTo(clip.eotToken());
    assertThat(tokens[76]).isEqualTo(clip.eotToken());
  }

  @Test
  void rejectsContextWithoutRoomForStartAndEnd() {
    assertThatThrownBy(() -> clip.tokenize("dog", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("context length");
  }

  @Test
  void tokenizesBatchInOrder() {
    int[][] batch = clip.tokenize(SENTENCES, 77);

    assertThat(batch).hasNumberOfRows(SENTENCES.size());
    for (int i = 0; i < batch.length; i++) {
      assertThat(batch[i]).containsExactly(clip.tokenize(SENTENCES.get(i), 77));
    }
  }

  @Test
  void specialTokensInTextMapToTheirIds() {
    assertThat(clip.encode("<|startoftext|>dog<|ENDOFTEXT|>"))
        .containsExactly(clip.sotToken(), clip.encode("dog")[0], clip.eotToken());
  }

  static Stream<Arguments> equivalentTexts() {
    return Stream.of(
        Arguments.of("  A\tPHOTO \n of  a dog\u00A0 ", "a photo of a dog"),
        Arguments.of("tom &amp; jerry", "tom & jerry"),
        Arguments.of("&amp;lt;b&amp;gt;", "<b>"),
        Arguments.of("&#39;s &#x27;ll &copy", "'s 'll \u00A9"),
        Arguments.of("it\u2019s \u201Cquoted\u201D", "it's \"quoted\""),
        Arguments.of("\uFB01sh \uFB02our", "fish flour"),
        Arguments.of("\uFF24\uFF2F\uFF27\u3000\uFF43\uFF41\uFF54", "dog cat"),
        Arguments.of("cafe\u0301", "caf\u00E9"),
        Arguments.of("\u039F\u0394\u03A5\u03A3\u03A3", "\u03BF\u03B4\u03C5\u03C3\u03C2"),
        Arguments.of("a\u0000b\uFEFFc", "abc"));
  }

  /** Cleaning as CLIP's ftfy, html.unescape, whitespace collapsing and Python's lower(). */
  @ParameterizedTest
  @MethodSource("equivalentTexts")
  void cleansTextAsClip(String raw, String clean) {
    assertThat(clip.encode(raw)).containsExactly(clip.encode(clean));
  }

  @Test
  void isSafeToShareBetweenThreads() {
    List<String> texts =
        IntStream.range(0, 2000)
            .mapToObj(i -> SENTENCES.get(i % SENTENCES.size()) + " number " + i)
            .collect(Collectors.toList());
    List<int[]> sequential = new ArrayList<>();
    ClipTokenizer fresh = ClipTokenizer.fromBpeGz(ClipTokenizerParityTest.bpeGz());
    for (String text : texts) {
      sequential.add(clip.encode(text));
    }

    List<int[]> parallel = texts.parallelStream().map(fresh::encode).collect(Collectors.toList());

    for (int i = 0; i < texts.size(); i++) {
      assertThat(parallel.get(i)).as(texts.get(i)).containsExactly(sequential.get(i));
    }
  }

  @Test
  void huggingFaceFilesWrittenAndReadBackGiveTheSameIds() {
    clip.writeHuggingFace(tmp);

    ClipTokenizer hf =
        ClipTokenizer.fromHuggingFace(
            tmp.resolve(ClipTokenizer.HF_VOCAB_FILE), tmp.resolve(ClipTokenizer.HF_MERGES_FILE));

    assertThat(hf.vocabSize()).isEqualTo(clip.vocabSize());
    assertThat(hf.sotToken()).isEqualTo(clip.sotToken());
    assertThat(hf.eotToken()).isEqualTo(clip.eotToken());
    assertThat(hf.tokenize(SENTENCES, 77)).isDeepEqualTo(clip.tokenize(SENTENCES, 77));
  }

  @Test
  void directoryPrefersHuggingFaceFilesAndFallsBackToGz() throws IOException {
    Path hfDir = tmp.resolve("hf");
    smallTokenizer().writeHuggingFace(hfDir);
    Files.copy(ClipTokenizerParityTest.bpeGz(), hfDir.resolve(ClipTokenizer.BPE_GZ_FILE));
    Path gzDir = Files.createDirectory(tmp.resolve("gz"));
    Files.copy(ClipTokenizerParityTest.bpeGz(), gzDir.resolve(ClipTokenizer.BPE_GZ_FILE));

    assertThat(ClipTokenizer.fromDirectory(hfDir).vocabSize())
        .isEqualTo(smallTokenizer().vocabSize());
    assertThat(ClipTokenizer.fromDirectory(gzDir).vocabSize()).isEqualTo(49408);
  }

  @Test
  void smallVocabularyTakesItsSpecialIdsFromTheVocabulary() {
    ClipTokenizer small = smallTokenizer();

    assertThat(small.vocabSize()).isEqualTo(512 + 4 + 2);
    assertThat(small.sotToken()).isEqualTo(516);
    assertThat(small.eotToken()).isEqualTo(517);
    assertThat(small.decode(small.encode("the cat sat"))).isEqualTo("the cat sat ");
    // "the" merges fully: t h -> th, th e</w> -> the</w>.
    assertThat(small.encode("the")).hasSize(1);
    assertThat(small.tokenize("the", 4)).containsExactly(516, small.encode("the")[0], 517, 0);
  }

  @Test
  void smallVocabularySurvivesHuggingFaceRoundTrip() {
    ClipTokenizer small = smallTokenizer();
    small.writeHuggingFace(tmp);

    ClipTokenizer read = ClipTokenizer.fromDirectory(tmp);

    assertThat(read.vocabSize()).isEqualTo(small.vocabSize());
    assertThat(read.eotToken()).isEqualTo(small.eotToken());
    for (String text : SENTENCES) {
      assertThat(read.encode(text)).as(text).containsExactly(small.encode(text));
    }
  }

  @Test
  void explicitVocabularyUsesListPositionsAsIds() {
    List<String> vocab = new ArrayList<>(List.of("<|endoftext|>", "<|startoftext|>"));
    for (char c = 'a'; c <= 'z'; c++) {
      vocab.add(String.valueOf(c));
      vocab.add(c + "</w>");
    }
    vocab.add("ab</w>");

    ClipTokenizer tokenizer =
        ClipTokenizer.of(vocab, List.<String[]>of(new String[] {"a", "b</w>"}));

    assertThat(tokenizer.eotToken()).isZero();
    assertThat(tokenizer.sotToken()).isEqualTo(1);
    assertThat(tokenizer.encode("ab")).containsExactly(vocab.size() - 1);
    assertThat(tokenizer.encode("ba")).containsExactly(vocab.indexOf("b"), vocab.indexOf("a</w>"));
  }

  @Test
  void textWithBytesOutsideTheVocabularyIsRefused() {
    ClipTokenizer tokenizer =
        ClipTokenizer.of(List.of("<|startoftext|>", "<|endoftext|>", "a</w>"), List.of());

    assertThat(tokenizer.encode("a")).containsExactly(2);
    assertThatThrownBy(() -> tokenizer.encode("b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'b</w>'");
  }

  @Test
  void decodeRefusesUnknownIds() {
    assertThatThrownBy(() -> clip.decode(new int[] {49408}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("49408");
  }

  @Test
  void missingGzNamesTheFile() {
    Path missing = tmp.resolve("nowhere.txt.gz");

    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void fileThatIsNotGzipNamesTheFile() throws IOException {
    Path plain = Files.writeString(tmp.resolve("merges.gz"), "header\na b\n");

    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(plain.toString())
        .hasMessageContaining("gzip");
  }

  @Test
  void gzWithoutMergesNamesTheFile() throws IOException {
    Path gz = gzip("bpe.txt.gz", "#version: 0.2\n");

    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(gz))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(gz.toString())
        .hasMessageContaining("no merges");
  }

  @Test
  void malformedGzLineNamesFileAndLine() throws IOException {
    Path gz = gzip("bpe.txt.gz", "#version: 0.2\ni n\nt h e\n");

    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(gz))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(gz.toString())
        .hasMessageContaining("line 3");
  }

  @Test
  void missingMergesTxtNamesTheFile() {
    smallTokenizer().writeHuggingFace(tmp);
    Path missing = tmp.resolve("missing-merges.txt");

    assertThatThrownBy(
            () -> ClipTokenizer.fromHuggingFace(tmp.resolve(ClipTokenizer.HF_VOCAB_FILE), missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"a\", \"b\"]", "{\"a\": \"zero\"}", "{\"a\": 1.5}", "{\"a\": 0,"})
  void malformedVocabJsonNamesTheFile(String json) throws IOException {
    smallTokenizer().writeHuggingFace(tmp);
    Path vocab = Files.writeString(tmp.resolve(ClipTokenizer.HF_VOCAB_FILE), json);

    assertThatThrownBy(
            () -> ClipTokenizer.fromHuggingFace(vocab, tmp.resolve(ClipTokenizer.HF_MERGES_FILE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(vocab.toString());
  }

  @Test
  void vocabularyWithoutSpecialTokensNamesFileAndToken() throws IOException {
    Path vocab = Files.writeString(tmp.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Path merges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\na b\n");

    assertThatThrownBy(() -> ClipTokenizer.fromHuggingFace(vocab, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(vocab.toString())
        .hasMessageContaining("<|startoftext|>");
  }

  @Test
  void mergeMakingAnUnknownTokenNamesTheMergesFile() throws IOException {
    Path vocab =
        Files.writeString(
            tmp.resolve("vocab.json"),
            "{\"a\": 0, \"b\": 1, \"<|startoftext|>\": 2, \"<|endoftext|>\": 3}");
    Path merges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\na b\n");

    assertThatThrownBy(() -> ClipTokenizer.fromHuggingFace(vocab, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(merges.toString())
        .hasMessageContaining("'ab'");
  }

  @Test
  void mergesWithoutHeaderUseEveryLine() throws IOException {
    Path vocab =
        Files.writeString(
            tmp.resolve("vocab.json"),
            "{\"a\": 0, \"b</w>\": 1, \"ab</w>\": 2,"
                + " \"<|startoftext|>\": 3, \"<|endoftext|>\": 4}");
    Path merges = Files.writeString(tmp.resolve("merges.txt"), "a b</w>\n");

    assertThat(ClipTokenizer.fromHuggingFace(vocab, merges).encode("ab")).containsExactly(2);
  }

  @Test
  void emptyMergesTxtNamesTheFile() throws IOException {
    Path vocab =
        Files.writeString(
            tmp.resolve("vocab.json"), "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1}");
    Path merges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\n");

    assertThatThrownBy(() -> ClipTokenizer.fromHuggingFace(vocab, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(merges.toString())
        .hasMessageContaining("no merges");
  }

  @Test
  void idsThatSkipNumbersAreRefused() throws IOException {
    Path vocab =
        Files.writeString(
            tmp.resolve("vocab.json"),
            "{\"a\": 0, \"b\": 1, \"ab\": 2, \"<|startoftext|>\": 3, \"<|endoftext|>\": 9}");
    Path merges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\na b\n");

    assertThatThrownBy(() -> ClipTokenizer.fromHuggingFace(vocab, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(vocab.toString())
        .hasMessageContaining("id 9");
  }

  @Test
  void emptyDirectoryListsTheFilesLookedFor() {
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tmp.toString())
        .hasMessageContaining("vocab.json")
        .hasMessageContaining("merges.txt")
        .hasMessageContaining("bpe_simple_vocab_16e6.txt.gz");
  }

  /** CLIP's vocabulary layout over four merges that spell "the" and "cat". */
  private static ClipTokenizer smallTokenizer() {
    return ClipTokenizer.ofMerges(
        List.of(
            new String[] {"t", "h"},
            new String[] {"th", "e</w>"},
            new String[] {"c", "a"},
            new String[] {"ca", "t</w>"}));
  }

  private Path gzip(String name, String content) throws IOException {
    Path file = tmp.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }
}

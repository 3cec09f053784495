package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Paper;
import org.ovss.api.Papers;
import org.ovss.api.UnknownNameException;

/** The built-in boards load, cite their papers from the registry, and their paper values are the papers' numbers. */
class BoardsTest {
  @TempDir Path dir;

  @Test
  void unknownBoardListsTheKnownOnes() {
    assertThatThrownBy(() -> Boards.get("sclip8"))
        .isInstanceOf(UnknownNameException.class)
        .hasMessageContaining("unknown board 'sclip8'")
        .hasMessageContaining("groupvit, sclip-8, synth");
  }

  @Test
  void sclip8HasTheEightBenchmarksOfSclipTable1InItsOrder() {
    BoardDefinition b = Boards.get("sclip-8");
    assertThat(b.columns()).extracting(BoardDefinition.Column::dataset).containsExactly(
        "voc21", "context60", "coco-object", "voc20", "cityscapes", "context59", "ade20k", "coco-stuff");
    assertThat(b.columns()).allMatch(c -> c.protocol().equals("sclip"));
    assertThat(b.anchor("sclip", "voc21")).get().extracting(BoardDefinition.Anchor::value).isEqualTo(59.1);
    assertThat(b.anchor("sclip", "voc21").get().citation().table()).isEqualTo("Table 1");
    BoardDefinition.Citation cite = b.anchor("sclip", "voc21").get().citation();
    assertThat(cite.paper().id()).isEqualTo("sclip-2024");
    assertThat(cite.reference()).isEqualTo("Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense"
        + " Vision-Language Inference. ECCV 2024 (arXiv:2312.01597), Table 1");
    assertThat(cite.shortForm()).isEqualTo("SCLIP (Wang et al. 2024), Table 1");
    // SCLIP's Table 1 average is the mean of its eight columns (38.2).
    double mean = b.anchors("sclip").values().stream().mapToDouble(BoardDefinition.Anchor::value).average().orElseThrow();
    assertThat(mean).isCloseTo(38.2, org.assertj.core.data.Offset.offset(0.05));
  }

  @Test
  void synthBoardHasTheDemoDatasetsAndBothVariantsOfEveryMethod() {
    BoardDefinition b = Boards.get("synth");
    assertThat(b.columns()).extracting(BoardDefinition.Column::dataset)
        .containsExactly("synth-shapes", "synth-shapes-bg", "synth-stuff");
    assertThat(b.rows()).hasSize(16).extracting(BoardDefinition.Row::weights).containsOnly("trained", "untrained");
    assertThat(b.includeUnlisted()).isTrue();
  }

  /**
   * Every anchor group (one row, one citation) must appear in its cited paper's text: a line of the paper whose
   * numbers contain the anchor values in column order. The papers' texts are not part of the repository: run with
   * {@code -Dovss.papers.dir=DIR}, DIR holding one plain-text file per paper (found by the title on its first page).
   */
  @Test
  void everyAnchorIsPrintedInItsCitedPaper() throws Exception {
    String papersDir = System.getProperty("ovss.papers.dir");
    Assumptions.assumeTrue(papersDir != null && !papersDir.isBlank(),
        "skipped: the papers' texts are not in the repository; pass -Dovss.papers.dir=DIR to check the anchors");
    Path texts = Path.of(papersDir).toAbsolutePath();
    assertThat(texts).as("-Dovss.papers.dir").isDirectory();
    int checked = 0;
    for (String name : Boards.names()) {
      BoardDefinition b = Boards.get(name);
      Map<String, List<Double>> groups = new LinkedHashMap<>();
      for (BoardDefinition.Column c : b.columns()) {
        for (BoardDefinition.Anchor a : b.anchors()) {
          if (a.column().equals(c.id())) {
            groups.computeIfAbsent(a.row() + "|" + a.citation().paper().id(), k -> new ArrayList<>()).add(a.value());
          }
        }
      }
      for (Map.Entry<String, List<Double>> g : groups.entrySet()) {
        String paper = g.getKey().substring(g.getKey().indexOf('|') + 1);
        List<String> lines = paperText(texts, Papers.get(paper));
        assertThat(lines.stream().anyMatch(l -> containsInOrder(numbers(l), g.getValue())))
            .as(name + " anchors of " + g.getKey() + " " + g.getValue() + " in " + paper).isTrue();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(12);
  }

  @Test
  void boardFileWithAnUnknownColumnNamesTheProblem() throws Exception {
    Path file = dir.resolve("mine.json");
    Files.writeString(file, """
        {"name": "mine", "columns": [{"id": "a", "dataset": "voc21", "protocol": "sclip"}],
         "rows": [{"id": "r", "method": "sclip"}],
         "anchors": [{"row": "r", "paper": "sclip-2024", "table": "Table 9", "values": {"b": 1.0}}]}
        """);
    assertThatThrownBy(() -> Boards.get(file.toString())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown column 'b'").hasMessageContaining(file.toString());
  }

  /** The lines of the file in {@code dir} whose first 3,000 characters carry the paper's title. */
  private static List<String> paperText(Path dir, Paper paper) throws IOException {
    String title = squash(paper.title());
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        if (squash(text.substring(0, Math.min(3000, text.length()))).contains(title)) {
          return text.lines().toList();
        }
      }
    }
    throw new AssertionError("no file in " + dir + " starts with the title of " + paper.id() + ": " + paper.title());
  }

  private static String squash(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
  }

  @Test
  void boardFileMayCiteAPaperOutsideTheRegistryWithItsFullReference() throws Exception {
    Path file = dir.resolve("mine.json");
    Files.writeString(file, """
        {"name": "mine", "columns": [{"id": "a", "dataset": "voc21", "protocol": "sclip"}],
         "rows": [{"id": "r", "method": "naclip"}],
         "papers": {"naclip-2025": {"name": "NACLIP", "authors": ["Hajimiri", "Ben Ayed", "Dolz"],
           "title": "Pay Attention to Your Neighbours: Training-Free Open-Vocabulary Semantic Segmentation",
           "venue": "WACV", "year": 2025, "arxiv": "2404.08181"}},
         "anchors": [{"row": "r", "paper": "naclip-2025", "table": "Table 2", "values": {"a": 58.9}},
                     {"row": "r", "paper": "sclip-2024", "table": "Table 1", "values": {"a": 59.1}}]}
        """);
    BoardDefinition b = Boards.get(file.toString());
    assertThat(b.anchors()).extracting(a -> a.citation().reference()).containsExactly(
        "Hajimiri, Ben Ayed, Dolz. Pay Attention to Your Neighbours: Training-Free Open-Vocabulary Semantic"
            + " Segmentation. WACV 2025 (arXiv:2404.08181), Table 2",
        "Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense Vision-Language Inference. ECCV 2024"
            + " (arXiv:2312.01597), Table 1");

    Files.writeString(file, """
        {"name": "mine", "columns": [{"id": "a", "dataset": "voc21", "protocol": "sclip"}],
         "rows": [{"id": "r", "method": "sclip"}],
         "anchors": [{"row": "r", "paper": "sclip", "table": "Table 1", "values": {"a": 59.1}}]}
        """);
    assertThatThrownBy(() -> Boards.get(file.toString())).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("board file " + file + ": anchor of row 'r' cites unknown paper 'sclip'"
            + " (neither in the board's 'papers' nor in the registry: clip-2021, ");
  }

  private static List<Double> numbers(String line) {
    List<Double> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?<![\\d.])\\d+\\.\\d+").matcher(line);
    while (m.find()) {
      out.add(Double.parseDouble(m.group()));
    }
    return out;
  }

  private static boolean containsInOrder(List<Double> haystack, List<Double> needles) {
    int i = 0;
    for (double h : haystack) {
      if (i < needles.size() && Math.abs(h - needles.get(i)) < 1e-9) {
        i++;
      }
    }
    return i == needles.size();
  }
}

package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;

/** The built-in boards load, and their paper values are the numbers printed in the seeds' tables. */
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
    assertThat(b.anchor("sclip", "voc21").get().citation().paper()).isEqualTo("004_15344234e4bf893b");
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
   * Every anchor group (one row, one citation) must appear in its cited seed's text: a line of the paper whose
   * numbers contain the anchor values in column order.
   */
  @Test
  void everyAnchorIsPrintedInItsCitedSeedPaper() throws Exception {
    Path seeds = Path.of(System.getProperty("ovss.shared.dir", "../../shared")).resolve("seeds");
    assertThat(seeds).as("shared seeds beside the clone").isDirectory();
    int checked = 0;
    for (String name : Boards.names()) {
      BoardDefinition b = Boards.get(name);
      Map<String, List<Double>> groups = new LinkedHashMap<>();
      for (BoardDefinition.Column c : b.columns()) {
        for (BoardDefinition.Anchor a : b.anchors()) {
          if (a.column().equals(c.id())) {
            groups.computeIfAbsent(a.row() + "|" + a.citation().paper(), k -> new ArrayList<>()).add(a.value());
          }
        }
      }
      for (Map.Entry<String, List<Double>> g : groups.entrySet()) {
        String paper = g.getKey().substring(g.getKey().indexOf('|') + 1);
        List<String> lines = Files.readAllLines(seeds.resolve(paper + ".txt"));
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
         "rows": [{"id": "r", "method": "sclip"}], "papers": {"p": {"file": "x", "title": "X"}},
         "anchors": [{"row": "r", "paper": "p", "table": "Table 9", "values": {"b": 1.0}}]}
        """);
    assertThatThrownBy(() -> Boards.get(file.toString())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown column 'b'").hasMessageContaining(file.toString());
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

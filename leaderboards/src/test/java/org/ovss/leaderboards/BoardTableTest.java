package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.leaderboards.ResultFixtures.Cell;

class BoardTableTest {
  @TempDir Path dir;

  private List<StoredResult> store(Cell... cells) {
    for (int i = 0; i < cells.length; i++) {
      ResultFixtures.write(dir.resolve("r" + i), cells[i]);
    }
    ResultStore s = ResultStore.open(dir);
    s.collect();
    return s.results();
  }

  @Test
  void synthBoardRanksByMeanAndLeavesMissingCellsEmpty() {
    List<StoredResult> results = store(
        Cell.of("clip", "trained", "synth-shapes", "synth", 40.0),
        Cell.of("clip", "trained", "synth-shapes-bg", "synth", 30.0),
        Cell.of("clip", "trained", "synth-stuff", "synth", 20.0),
        Cell.of("sclip", "trained", "synth-shapes", "synth", 60.0),
        Cell.of("sclip", "trained", "synth-shapes-bg", "synth", 50.0),
        Cell.of("sclip", "trained", "synth-stuff", "synth", 40.0),
        Cell.of("groupvit", "untrained", "synth-shapes", "synth", 0.0),
        Cell.of("sclip", "trained", "synth-stuff", "other-protocol", 99.0));
    BoardTable t = BoardTable.build(Boards.get("synth"), results);
    assertThat(t.rows()).extracting(BoardTable.Row::key)
        .containsExactly("sclip/trained", "clip/trained", "groupvit/untrained");
    assertThat(t.rows().get(0).mean()).isEqualTo(50.0);
    BoardTable.Row groupvit = t.rows().get(2);
    assertThat(groupvit.cells().get(0).value()).as("a measured 0 stays 0").isEqualTo(0.0);
    assertThat(groupvit.cells().get(1).value()).as("missing is null, not 0").isNull();
    assertThat(groupvit.cells().get(1).result()).isNull();
    assertThat(groupvit.mean()).as("no mean over a partial row").isNull();
    assertThat(t.best(0)).isEqualTo(60.0);
    assertThat(t.rows().get(0).label()).as("display name from the results").isEqualTo("SCLIP");
  }

  @Test
  void aBoardAcrossSeedsShowsEachCellsMeanAndSampleDeviation() {
    List<BoardTable> runs = new ArrayList<>();
    double[][] clip = {{40, 30, 20}, {44, 34, 26}, {42, 29, 23}};
    for (int seed = 0; seed < 3; seed++) {
      Path runDir = dir.resolve("seed-" + seed);
      String[] datasets = {"synth-shapes", "synth-shapes-bg", "synth-stuff"};
      for (int c = 0; c < 3; c++) {
        // Each seed trains other weights: the rows still match by method and weights label.
        ResultFixtures.write(runDir.resolve("clip-" + c), new Cell("clip", "CLIP", "trained",
            ResultFixtures.sha("clip" + seed), datasets[c], "synth", ResultFixtures.sha("synth/" + datasets[c]),
            clip[seed][c], List.of("a"), java.util.Arrays.asList(0.5), "2026-01-01T00:00:00Z"));
      }
      if (seed < 2) {
        ResultFixtures.write(runDir.resolve("sclip"), Cell.of("sclip", "trained", "synth-shapes", "synth", 10.0 + seed));
      }
      ResultStore s = ResultStore.open(runDir);
      s.collect();
      runs.add(BoardTable.build(Boards.get("synth"), s.results()));
    }
    BoardTable t = BoardTable.acrossRuns(runs);
    assertThat(t.rows()).extracting(BoardTable.Row::key).containsExactly("clip/trained", "sclip/trained");
    BoardTable.Row row = t.rows().get(0);
    // synth-shapes: 40, 44, 42 -> mean 42, deviation sqrt((4 + 4 + 0) / 2) = 2.
    assertThat(row.cells().get(0).value()).isCloseTo(42.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(row.cells().get(0).deviation()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    // synth-stuff: 20, 26, 23 -> 23 +- 3; row means 30, 34.667, 31.333 -> 32 +- 2.404.
    assertThat(row.cells().get(2).deviation()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(row.mean()).isCloseTo(32.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(row.meanDeviation()).isCloseTo(Math.sqrt((4 + 64.0 / 9 + 4.0 / 9) / 2),
        org.assertj.core.data.Offset.offset(1e-9));
    BoardTable.Row sclip = t.rows().get(1);
    assertThat(sclip.cells().get(0).value()).as("measured by two of three seeds: missing, not a partial mean").isNull();
    assertThat(sclip.meanDeviation()).isNull();
    assertThatThrownBy(() -> BoardTable.acrossRuns(runs.subList(0, 1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resultsOfTwoVersionsOfAGeneratedDatasetAreNeverMixedOnOneBoard() {
    ResultFixtures.write(dir.resolve("v1"), Cell.of("clip", "trained", "synth-shapes", "synth", 5.0));
    ResultFixtures.write(dir.resolve("v2"), Cell.of("sclip", "trained", "synth-shapes", "synth", 40.0), "ovss-synth/2");
    // The same method, weights, dataset and protocol on two versions are two cells, not one replacing the other.
    ResultFixtures.write(dir.resolve("v2-clip"), Cell.of("clip", "trained", "synth-shapes", "synth", 30.0), "ovss-synth/2");
    ResultStore s = ResultStore.open(dir);
    s.collect();
    assertThat(s.results()).hasSize(3);
    assertThatThrownBy(() -> BoardTable.build(Boards.get("synth"), s.results()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("board 'synth': column synth-shapes / synth holds results of different versions")
        .hasMessageContaining("ovss-synth/2 (e.g. ")
        .hasMessageContaining("no recorded version (e.g. " + dir.resolve("v1").toAbsolutePath().normalize());

    List<StoredResult> v2 = s.results().stream().filter(r -> "ovss-synth/2".equals(r.datasetVersion())).toList();
    BoardTable t = BoardTable.build(Boards.get("synth"), v2);
    assertThat(t.rows()).extracting(BoardTable.Row::key).containsExactlyInAnyOrder("sclip/trained", "clip/trained");
    assertThat(t.rows()).filteredOn(r -> r.method().equals("clip")).singleElement()
        .satisfies(r -> assertThat(r.cells().get(0).value()).isEqualTo(30.0));
  }

  @Test
  void anchoredRowsShowPaperValuesAndDifferencesAndUnlistedMethodsGetRows() {
    List<StoredResult> results = store(
        Cell.of("sclip", null, "voc21", "sclip", 58.1),
        Cell.of("sclip", "other", "voc21", "sclip", 57.0).named("SCLIP"),
        Cell.of("newmethod", null, "ade20k", "sclip", 12.0));
    BoardTable t = BoardTable.build(Boards.get("sclip-8"), results);
    List<BoardTable.Row> sclip = t.rows().stream().filter(r -> r.method().equals("sclip")).toList();
    assertThat(sclip).as("one row per weights").hasSize(2);
    BoardTable.Cell voc = sclip.stream().filter(r -> r.cells().get(0).value() == 58.1).findFirst().orElseThrow().cells().get(0);
    assertThat(voc.anchor().value()).isEqualTo(59.1);
    assertThat(voc.difference()).isCloseTo(-1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(sclip.get(0).cells().get(4).value()).isNull();
    assertThat(sclip.get(0).cells().get(4).anchor().value()).isEqualTo(32.2);
    assertThat(t.rows()).anyMatch(r -> r.method().equals("newmethod") && r.cells().get(6).value() == 12.0);
    assertThat(t.rows()).as("paper-only rows").anyMatch(r -> r.method().equals("maskclip") && !r.measured());
    assertThat(t.rows().get(t.rows().size() - 1).measured()).as("paper-only rows come last").isFalse();
  }

  @Test
  void comparisonPairsDatasetsAndClasses() {
    List<StoredResult> results = store(
        Cell.of("clip", "trained", "synth-shapes", "synth", 40.0),
        Cell.of("sclip", "trained", "synth-shapes", "synth", 55.0),
        Cell.of("sclip", "trained", "synth-stuff", "synth", 30.0));
    Comparison c = Comparison.of(results, Comparison.Selector.parse("clip/trained@synth"), Comparison.Selector.parse("sclip"));
    assertThat(c.datasets()).extracting(Comparison.DatasetDiff::dataset).containsExactly("synth-shapes", "synth-stuff");
    assertThat(c.datasets().get(0).difference()).isEqualTo(15.0);
    assertThat(c.datasets().get(1).aValue()).isNull();
    assertThat(c.datasets().get(1).difference()).isNull();
    assertThat(c.datasets().get(0).classes().get(1).difference()).isCloseTo(15.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThatThrownBy(() -> Comparison.of(results, Comparison.Selector.parse("pacl"), Comparison.Selector.parse("clip")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no stored result matches 'pacl'")
        .hasMessageContaining("clip/trained@synth");
    assertThatThrownBy(() -> Comparison.Selector.parse("clip/@x")).isInstanceOf(InvalidInputException.class);
  }
}

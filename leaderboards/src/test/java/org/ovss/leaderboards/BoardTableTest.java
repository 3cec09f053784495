package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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

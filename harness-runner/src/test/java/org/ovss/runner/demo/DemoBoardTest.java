package org.ovss.runner.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoBoardTest {
  @Test
  void theNotesOfSeveralSeedsGiveTheZeroShotMeanDeviationAndEachSeedsFigure() {
    DemoBoard first = new DemoBoard();
    first.zeroShot(DemoBoard.TRAINED, 0.10, 8);
    first.zeroShot(DemoBoard.UNTRAINED, 0.125, 8);
    DemoBoard second = new DemoBoard();
    second.zeroShot(DemoBoard.TRAINED, 0.20, 8);
    second.zeroShot(DemoBoard.UNTRAINED, 0.125, 8);
    List<String> notes = DemoBoard.notesAcrossSeeds(List.of(first, second), 3, Map.of("clip", 500), 20000, 400, 61.4);
    // Sample standard deviation of 10 and 20: sqrt(50) = 7.07.
    assertThat(notes).containsExactly(
        "Mean ± sample standard deviation over 2 seeds (3 to 4); each seed generates its own benchmark, initialises "
            + "and trains every method anew.",
        "Training per seed (clip 500 steps) on 20000 synthetic pairs; evaluation on 400 val images; total 61 s.",
        "Zero-shot shape classification of single-shape val images by the CLIP backbone (each seed's in brackets): "
            + "trained 15.0 ± 7.1% (10.0 / 20.0), untrained 12.5 ± 0.0% (12.5 / 12.5) (chance 12.5%).");
  }

  @Test
  void theNotesOfOneRunGiveItsZeroShotFigures() {
    DemoBoard board = new DemoBoard();
    board.zeroShot(DemoBoard.TRAINED, 0.173, 8);
    assertThat(board.notes(Map.of("clip", 60), 3000, 50, 89.6)).containsExactly(
        "Training (clip 60 steps) on 3000 synthetic pairs; evaluation on 50 val images; total 90 s.",
        "Zero-shot shape classification of single-shape val images by the CLIP backbone: trained 17.3% (chance 12.5%).");
  }
}

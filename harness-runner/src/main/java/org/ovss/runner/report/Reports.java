package org.ovss.runner.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.StoredResult;
import org.ovss.reports.BoardReport;
import org.ovss.reports.Overlay;
import org.ovss.runner.eval.EvalRun;

/** The steps {@code ovss board} and {@code ovss demo} share: fill a board, add overlays, write a rendered file. */
public final class Reports {
  private Reports() {}

  /** A board from stored results; overlays (for HTML) only when {@code overlaysPerRow > 0}. */
  public static BoardReport board(BoardDefinition def, List<StoredResult> results, List<String> notes, int overlaysPerRow,
      PrintStream warnings) {
    return board(BoardTable.build(def, results), notes, overlaysPerRow, warnings);
  }

  /** A filled board (e.g. {@link BoardTable#acrossRuns}); overlays as in the other form. */
  public static BoardReport board(BoardTable table, List<String> notes, int overlaysPerRow, PrintStream warnings) {
    Map<String, List<Overlay>> overlays = new Overlays(warnings).forBoard(table, overlaysPerRow);
    return new BoardReport(table, now(), notes, overlays);
  }

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Writes a rendered report atomically, creating parent folders. */
  public static void write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      EvalRun.writeAtomically(file, text);
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}

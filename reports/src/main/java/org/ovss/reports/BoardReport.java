package org.ovss.reports;

import java.util.List;
import java.util.Map;
import org.ovss.leaderboards.BoardTable;

/**
 * Everything a board report shows: the filled board, free-text notes (how the runs were made) and, for HTML,
 * qualitative overlays per row ({@link BoardTable.Row#key()}).
 */
public record BoardReport(BoardTable table, String generatedAt, List<String> notes, Map<String, List<Overlay>> overlays) {
  public BoardReport {
    notes = List.copyOf(notes);
    overlays = Map.copyOf(overlays);
  }
}

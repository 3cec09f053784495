package org.ovss.leaderboards;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.Paper;
import org.ovss.api.Papers;

/**
 * A named leaderboard as data: columns are dataset x protocol, rows are method x weights, and published numbers
 * are anchors with their citation. Loaded from {@code boards/NAME.json} by {@link Boards}.
 *
 * @param includeUnlisted whether results of methods that no row names still get rows of their own (a new plugin
 *     shows up on the board without editing it)
 */
public record BoardDefinition(String name, String title, String metric, List<Column> columns, List<Row> rows,
    List<Anchor> anchors, boolean includeUnlisted, String description) {

  public BoardDefinition {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
    anchors = List.copyOf(anchors);
  }

  /** One dataset evaluated under one named protocol. */
  public record Column(String id, String dataset, String protocol, String label) {}

  /**
   * One method with one kind of weights. {@code weights} is matched against a result's weights label (as
   * {@code ovss eval --weights-label} or the demo set it); null matches any weights, one row per distinct weights.
   */
  public record Row(String id, String method, String weights, String label) {}

  /**
   * Where a published number comes from: the paper (from the citation registry {@link Papers}, or the board file's
   * own {@code papers}), the table that prints it, and an optional note (whose protocol the number was measured under).
   */
  public record Citation(Paper paper, String table, String note) {
    /** For table cells and captions: "SCLIP (Wang et al. 2024), Table 1". */
    public String shortForm() {
      return paper.shortForm() + ", " + table;
    }

    /** The full reference: authors, title, venue, year, arXiv id, then the table. */
    public String reference() {
      return paper.citation() + ", " + table;
    }
  }

  /** A published number for one row and column. */
  public record Anchor(String row, String column, double value, Citation citation) {}

  public Optional<Column> column(String id) {
    return columns.stream().filter(c -> c.id().equals(id)).findFirst();
  }

  public Optional<Anchor> anchor(String rowId, String columnId) {
    return anchors.stream().filter(a -> a.row().equals(rowId) && a.column().equals(columnId)).findFirst();
  }

  /** The anchors of one row keyed by column id. */
  public Map<String, Anchor> anchors(String rowId) {
    Map<String, Anchor> byColumn = new java.util.LinkedHashMap<>();
    anchors.stream().filter(a -> a.row().equals(rowId)).forEach(a -> byColumn.put(a.column(), a));
    return byColumn;
  }
}

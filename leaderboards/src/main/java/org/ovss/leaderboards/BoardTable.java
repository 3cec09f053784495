package org.ovss.leaderboards;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A board filled from stored results: what every renderer draws. Cells hold the measured value (null when no
 * result exists: renderers show it as missing, never as 0), the paper's value and the result behind the number.
 */
public record BoardTable(BoardDefinition definition, List<BoardDefinition.Column> columns, List<Row> rows) {

  /** A row: one method with one weights file (or a definition row with paper values only). */
  public record Row(String id, String method, String label, String weights, List<Cell> cells) {
    /** Mean of the measured values, only when every column is measured (a partial mean would mislead). */
    public Double mean() {
      double sum = 0;
      for (Cell c : cells) {
        if (c.value() == null) {
          return null;
        }
        sum += c.value();
      }
      return cells.isEmpty() ? null : sum / cells.size();
    }

    /** Mean of the paper values when every column has one. */
    public Double paperMean() {
      double sum = 0;
      for (Cell c : cells) {
        if (c.anchor() == null) {
          return null;
        }
        sum += c.anchor().value();
      }
      return cells.isEmpty() ? null : sum / cells.size();
    }

    /** Unique among the rows of a board: method and weights. */
    public String key() {
      return method + "/" + weights;
    }

    public boolean measured() {
      return cells.stream().anyMatch(c -> c.result() != null);
    }
  }

  /** One row x column: the stored result (may be null), its value and the anchor (may be null). */
  public record Cell(BoardDefinition.Column column, StoredResult result, Double value, BoardDefinition.Anchor anchor) {
    /** Measured minus paper, when both exist. */
    public Double difference() {
      return value == null || anchor == null ? null : value - anchor.value();
    }
  }

  /** The best measured value of a column, or null when nothing is measured there. */
  public Double best(int column) {
    Double best = null;
    for (Row r : rows) {
      Double v = r.cells().get(column).value();
      if (v != null && (best == null || v > best)) {
        best = v;
      }
    }
    return best;
  }

  /** Every stored result on the board, row by row. */
  public List<StoredResult> results() {
    List<StoredResult> out = new ArrayList<>();
    rows.forEach(r -> r.cells().forEach(c -> {
      if (c.result() != null) {
        out.add(c.result());
      }
    }));
    return out;
  }

  /**
   * Fills a board from stored results. Definition rows without weights expand into one row per distinct weights
   * found; a row with neither results nor paper values is left out. When several results fit one cell (the same
   * protocol name with other overrides) the one that started last wins. Rows are sorted by mean, best first;
   * rows without a full mean keep definition order after them.
   */
  public static BoardTable build(BoardDefinition def, List<StoredResult> stored) {
    List<StoredResult> onBoard = new ArrayList<>();
    for (StoredResult r : stored) {
      if (def.columns().stream().anyMatch(c -> fits(c, r))) {
        onBoard.add(r);
      }
    }
    List<Row> rows = new ArrayList<>();
    List<StoredResult> claimed = new ArrayList<>();
    for (BoardDefinition.Row rowDef : def.rows()) {
      Map<String, List<StoredResult>> byWeights = new LinkedHashMap<>();
      for (StoredResult r : onBoard) {
        if (r.method().equals(rowDef.method()) && (rowDef.weights() == null || rowDef.weights().equals(r.weightsLabel()))) {
          byWeights.computeIfAbsent(r.weightsSha256(), k -> new ArrayList<>()).add(r);
          claimed.add(r);
        }
      }
      boolean explicitLabel = !rowDef.label().equals(rowDef.id());
      if (byWeights.isEmpty()) {
        if (!def.anchors(rowDef.id()).isEmpty()) {
          rows.add(row(def, rowDef.id(), rowDef.method(), rowDef.label(), rowDef.weights() == null ? "paper" : rowDef.weights(),
              List.of()));
        }
        continue;
      }
      for (List<StoredResult> results : byWeights.values()) {
        String label = explicitLabel ? rowDef.label() : results.get(0).methodName();
        rows.add(row(def, rowDef.id(), rowDef.method(), label, results.get(0).weightsName(), results));
      }
    }
    if (def.includeUnlisted()) {
      Map<String, List<StoredResult>> unlisted = new LinkedHashMap<>();
      for (StoredResult r : onBoard) {
        if (!claimed.contains(r)) {
          unlisted.computeIfAbsent(r.method() + "|" + r.weightsSha256(), k -> new ArrayList<>()).add(r);
        }
      }
      for (List<StoredResult> results : unlisted.values()) {
        StoredResult first = results.get(0);
        rows.add(row(def, first.method() + "-" + first.weightsName(), first.method(), first.methodName(),
            first.weightsName(), results));
      }
    }
    List<Row> sorted = new ArrayList<>(rows);
    Comparator<Row> byMean = Comparator.comparing(r -> r.mean() == null ? Double.POSITIVE_INFINITY : -r.mean());
    sorted.sort(byMean.thenComparing(r -> r.measured() ? 0 : 1));
    return new BoardTable(def, def.columns(), List.copyOf(sorted));
  }

  private static Row row(BoardDefinition def, String id, String method, String label, String weights,
      List<StoredResult> results) {
    List<Cell> cells = new ArrayList<>();
    for (BoardDefinition.Column c : def.columns()) {
      Optional<StoredResult> r = results.stream().filter(x -> fits(c, x))
          .max(Comparator.comparing(StoredResult::startedAt));
      BoardDefinition.Anchor anchor = def.anchor(id, c.id()).orElse(null);
      cells.add(new Cell(c, r.orElse(null), r.map(x -> x.metrics().get(def.metric())).orElse(null), anchor));
    }
    return new Row(id, method, label, weights, List.copyOf(cells));
  }

  private static boolean fits(BoardDefinition.Column c, StoredResult r) {
    return c.dataset().equals(r.dataset()) && c.protocol().equals(r.protocolName());
  }
}

package org.ovss.leaderboards;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.InvalidInputException;

/**
 * A board filled from stored results: what every renderer draws. Cells hold the measured value (null when no
 * result exists: renderers show it as missing, never as 0), the paper's value and the result behind the number.
 */
public record BoardTable(BoardDefinition definition, List<BoardDefinition.Column> columns, List<Row> rows) {

  /**
   * A row: one method with one weights file (or a definition row with paper values only); over several runs
   * ({@link #acrossRuns}) one method with one weights label.
   *
   * @param meanDeviation over several runs, the standard deviation of the runs' row means; null for one run
   */
  public record Row(String id, String method, String label, String weights, List<Cell> cells, Double meanDeviation) {
    public Row(String id, String method, String label, String weights, List<Cell> cells) {
      this(id, method, label, weights, cells, null);
    }

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

  /**
   * One row x column: the stored result (may be null), its value and the anchor (may be null). Over several runs
   * ({@link #acrossRuns}) the value is the runs' mean, {@code deviation} their sample standard deviation and the
   * result the first run's; {@code deviation} is null for one run.
   */
  public record Cell(BoardDefinition.Column column, StoredResult result, Double value, BoardDefinition.Anchor anchor,
      Double deviation) {
    public Cell(BoardDefinition.Column column, StoredResult result, Double value, BoardDefinition.Anchor anchor) {
      this(column, result, value, anchor, null);
    }

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
   *
   * @throws InvalidInputException when one column holds results of different versions of its dataset (a generated
   *     dataset whose generator changed): their numbers do not compare
   */
  public static BoardTable build(BoardDefinition def, List<StoredResult> stored) {
    List<StoredResult> onBoard = new ArrayList<>();
    for (StoredResult r : stored) {
      if (def.columns().stream().anyMatch(c -> fits(c, r))) {
        onBoard.add(r);
      }
    }
    for (BoardDefinition.Column c : def.columns()) {
      requireOneVersion(def, c, onBoard.stream().filter(r -> fits(c, r)).toList());
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
    return new BoardTable(def, def.columns(), sortedByMean(rows));
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

  /**
   * The same board over several runs (seeds) of the same methods: one row per row key (method and weights name)
   * with each cell's mean and sample standard deviation over the runs. A cell is missing unless every run measured
   * it, and a row's mean deviation is that of the runs' row means. Rows are sorted by mean, as in {@link #build}.
   *
   * @throws IllegalArgumentException when fewer than two runs are given or the runs are of different boards
   */
  public static BoardTable acrossRuns(List<BoardTable> runs) {
    if (runs.size() < 2) {
      throw new IllegalArgumentException("a board across runs needs at least two runs, not " + runs.size());
    }
    BoardTable first = runs.get(0);
    if (runs.stream().anyMatch(t -> !t.definition().name().equals(first.definition().name()))) {
      throw new IllegalArgumentException("runs of different boards do not aggregate");
    }
    Map<String, List<Row>> byKey = new LinkedHashMap<>();
    for (BoardTable t : runs) {
      for (Row r : t.rows()) {
        byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (List<Row> same : byKey.values()) {
      Row r0 = same.get(0);
      List<Cell> cells = new ArrayList<>();
      for (int c = 0; c < first.columns().size(); c++) {
        final int column = c;
        List<Double> values = same.stream().map(r -> r.cells().get(column).value()).toList();
        Cell c0 = r0.cells().get(c);
        boolean complete = same.size() == runs.size() && values.stream().allMatch(v -> v != null);
        cells.add(new Cell(c0.column(), c0.result(), complete ? mean(values) : null, c0.anchor(),
            complete ? deviation(values) : null));
      }
      List<Double> means = same.stream().map(Row::mean).toList();
      boolean complete = same.size() == runs.size() && means.stream().allMatch(v -> v != null);
      rows.add(new Row(r0.id(), r0.method(), r0.label(), r0.weights(), List.copyOf(cells),
          complete ? deviation(means) : null));
    }
    return new BoardTable(first.definition(), first.columns(), sortedByMean(rows));
  }

  /** Best mean first; rows without a full mean after them, measured ones first, otherwise in the given order. */
  private static List<Row> sortedByMean(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    Comparator<Row> byMean = Comparator.comparing(r -> r.mean() == null ? Double.POSITIVE_INFINITY : -r.mean());
    sorted.sort(byMean.thenComparing(r -> r.measured() ? 0 : 1));
    return List.copyOf(sorted);
  }

  /** The mean of {@code values} (at least one). */
  public static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** Sample standard deviation (n - 1 in the denominator) of {@code values} (at least two): what a cell's ± gives. */
  public static double deviation(List<Double> values) {
    double m = mean(values);
    double sum = 0;
    for (double v : values) {
      sum += (v - m) * (v - m);
    }
    return Math.sqrt(sum / (values.size() - 1));
  }

  /** Refuses a column whose results come from different versions of its dataset, naming one result of each. */
  private static void requireOneVersion(BoardDefinition def, BoardDefinition.Column c, List<StoredResult> results) {
    Map<String, StoredResult> byVersion = new LinkedHashMap<>();
    for (StoredResult r : results) {
      byVersion.putIfAbsent(String.valueOf(r.datasetVersion()), r);
    }
    if (byVersion.size() > 1) {
      List<String> versions = new ArrayList<>();
      byVersion.forEach((version, r) -> versions.add(
          (version.equals("null") ? "no recorded version" : version) + " (e.g. " + r.source() + ")"));
      throw new InvalidInputException("board '" + def.name() + "': column " + c.dataset() + " / " + c.protocol()
          + " holds results of different versions of the dataset, which do not compare: " + String.join(", ", versions)
          + "; keep each version's results under its own --results directory");
    }
  }

  private static boolean fits(BoardDefinition.Column c, StoredResult r) {
    return c.dataset().equals(r.dataset()) && c.protocol().equals(r.protocolName());
  }
}

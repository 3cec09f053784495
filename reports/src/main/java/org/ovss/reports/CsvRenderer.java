package org.ovss.reports;

import java.util.ArrayList;
import java.util.List;
import org.ovss.leaderboards.BoardTable;

/**
 * RFC 4180 CSV, one line per row (CRLF): method, weights, the measured value per column, the mean, then the
 * paper value per column when the board has anchors. Missing values are empty fields, never 0.
 */
public final class CsvRenderer implements ReportRenderer {
  @Override
  public String format() {
    return "csv";
  }

  @Override
  public String render(BoardReport report) {
    BoardTable t = report.table();
    boolean anchors = !t.definition().anchors().isEmpty();
    StringBuilder csv = new StringBuilder();
    List<String> header = new ArrayList<>(List.of("method", "method_id", "weights"));
    t.columns().forEach(c -> header.add(c.label()));
    header.add("mean");
    if (anchors) {
      t.columns().forEach(c -> header.add(c.label() + " (paper)"));
    }
    line(csv, header);
    for (BoardTable.Row r : t.rows()) {
      List<String> fields = new ArrayList<>(List.of(r.label(), r.method(), r.weights()));
      r.cells().forEach(c -> fields.add(Text.value(c.value())));
      fields.add(Text.value(r.mean()));
      if (anchors) {
        r.cells().forEach(c -> fields.add(c.anchor() == null ? null : Text.paper(c.anchor().value())));
      }
      line(csv, fields);
    }
    return csv.toString();
  }

  private static void line(StringBuilder csv, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      csv.append(i == 0 ? "" : ",").append(Text.csv(fields.get(i)));
    }
    csv.append("\r\n");
  }
}

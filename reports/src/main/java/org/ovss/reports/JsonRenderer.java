package org.ovss.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Comparison;
import org.ovss.leaderboards.StoredResult;

/** The filled board as JSON ({@code ovss-board/1}): values, paper values with citations, and the cells' keys. */
public final class JsonRenderer implements ReportRenderer {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public String format() {
    return "json";
  }

  @Override
  public String render(BoardReport report) {
    BoardTable t = report.table();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", "ovss-board/1");
    root.put("board", t.definition().name());
    root.put("title", t.definition().title());
    root.put("metric", t.definition().metric());
    root.put("generatedAt", report.generatedAt());
    ArrayNode columns = root.putArray("columns");
    t.columns().forEach(c -> columns.addObject().put("id", c.id()).put("dataset", c.dataset())
        .put("protocol", c.protocol()).put("label", c.label()));
    ArrayNode rows = root.putArray("rows");
    for (BoardTable.Row r : t.rows()) {
      ObjectNode row = rows.addObject().put("id", r.id()).put("method", r.method()).put("label", r.label())
          .put("weights", r.weights());
      putNumber(row, "mean", r.mean());
      if (r.meanDeviation() != null) {
        row.put("meanDeviation", r.meanDeviation());
      }
      ObjectNode cells = row.putObject("cells");
      for (BoardTable.Cell c : r.cells()) {
        ObjectNode cell = cells.putObject(c.column().id());
        putNumber(cell, "value", c.value());
        if (c.deviation() != null) {
          cell.put("deviation", c.deviation());
        }
        if (c.anchor() != null) {
          BoardDefinition.Citation cite = c.anchor().citation();
          cell.put("paper", c.anchor().value());
          putNumber(cell, "difference", c.difference());
          cell.putObject("citation").put("paper", cite.paper().id()).put("reference", cite.paper().citation())
              .put("table", cite.table()).put("note", cite.note());
        }
        if (c.result() != null) {
          source(cell.putObject("result"), c.result());
        }
      }
    }
    ArrayNode notes = root.putArray("notes");
    report.notes().forEach(notes::add);
    return write(root);
  }

  @Override
  public String render(ComparisonReport report) {
    Comparison cmp = report.comparison();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", "ovss-comparison/1");
    root.put("a", cmp.a().text());
    root.put("b", cmp.b().text());
    root.put("generatedAt", report.generatedAt());
    ArrayNode datasets = root.putArray("datasets");
    for (Comparison.DatasetDiff d : cmp.datasets()) {
      ObjectNode n = datasets.addObject().put("dataset", d.dataset());
      putNumber(n, "a", d.aValue());
      putNumber(n, "b", d.bValue());
      putNumber(n, "difference", d.difference());
      ArrayNode classes = n.putArray("classes");
      for (Comparison.ClassDiff c : d.classes()) {
        ObjectNode cn = classes.addObject().put("name", c.name());
        putNumber(cn, "a", c.a());
        putNumber(cn, "b", c.b());
        putNumber(cn, "difference", c.difference());
      }
    }
    ArrayNode images = root.putArray("disagreements");
    report.disagreements().forEach(d -> images.addObject().put("dataset", d.dataset()).put("image", d.imageId())
        .put("fraction", d.fraction()));
    return write(root);
  }

  private static void source(ObjectNode n, StoredResult r) {
    n.put("weightsSha256", r.weightsSha256()).put("protocolSha256", r.protocolSha256()).put("images", r.images())
        .put("startedAt", r.startedAt()).put("source", r.source().toString());
  }

  private static void putNumber(ObjectNode n, String field, Double v) {
    if (v == null) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static String write(ObjectNode root) {
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

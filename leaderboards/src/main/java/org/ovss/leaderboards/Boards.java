package org.ovss.leaderboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Paper;
import org.ovss.api.Papers;
import org.ovss.api.UnknownNameException;
import org.ovss.api.plugins.PluginRegistry;

/**
 * The named boards ({@code META-INF/ovss/boards/NAME.json} of the harness and its plugins) and board files. An
 * anchor cites its paper by key in the citation registry ({@link Papers}, {@code sclip-2024}) or in the board file's
 * own {@code papers} (same fields as the registry, for papers it does not hold), with the table, and gives its values
 * per row as column to value maps.
 */
public final class Boards {
  /** Data kind of boards in {@link PluginRegistry}. */
  public static final String KIND = "boards";

  private Boards() {}

  /** Names of the boards the harness and its plugins bring, sorted. */
  public static List<String> names() {
    return PluginRegistry.get().names(KIND);
  }

  /** A named board (the harness's or a plugin's), or a board JSON file by path. */
  public static BoardDefinition get(String nameOrFile) {
    Optional<PluginRegistry.Data> named = PluginRegistry.get().data(KIND, nameOrFile);
    if (named.isPresent()) {
      PluginRegistry.Data data = named.get();
      String where = data.origin().builtIn() ? "built-in board " + nameOrFile : "board " + data.where();
      try (InputStream in = data.open()) {
        return parse(new ObjectMapper().readTree(in), where);
      } catch (IOException e) {
        throw new InvalidInputException(where + " is not valid JSON: " + e.getMessage(), e);
      }
    }
    Path file = Path.of(nameOrFile);
    if (nameOrFile.endsWith(".json") && Files.isRegularFile(file)) {
      try {
        return parse(new ObjectMapper().readTree(file.toFile()), "board file " + file);
      } catch (IOException e) {
        throw new InvalidInputException("board file " + file + " is not valid JSON: " + e.getMessage(), e);
      }
    }
    throw new UnknownNameException("board", nameOrFile, names());
  }

  static BoardDefinition parse(JsonNode root, String where) {
    String name = text(root, "name", where);
    List<BoardDefinition.Column> columns = new ArrayList<>();
    Set<String> columnIds = new HashSet<>();
    for (JsonNode c : array(root, "columns", where)) {
      String id = text(c, "id", where);
      if (!columnIds.add(id)) {
        throw new InvalidInputException(where + ": column '" + id + "' is defined twice");
      }
      columns.add(new BoardDefinition.Column(id, text(c, "dataset", where), text(c, "protocol", where),
          c.path("label").asText(id)));
    }
    List<BoardDefinition.Row> rows = new ArrayList<>();
    Set<String> rowIds = new HashSet<>();
    for (JsonNode r : array(root, "rows", where)) {
      String id = text(r, "id", where);
      if (!rowIds.add(id)) {
        throw new InvalidInputException(where + ": row '" + id + "' is defined twice");
      }
      String weights = r.hasNonNull("weights") ? r.get("weights").asText() : null;
      rows.add(new BoardDefinition.Row(id, text(r, "method", where), weights, r.path("label").asText(id)));
    }
    Map<String, Paper> papers = root.has("papers") ? Papers.parse(root.get("papers"), where) : Map.of();
    List<BoardDefinition.Anchor> anchors = new ArrayList<>();
    for (JsonNode a : root.path("anchors")) {
      String row = text(a, "row", where);
      if (!rowIds.contains(row)) {
        throw new InvalidInputException(where + ": anchor for unknown row '" + row + "'");
      }
      String paperKey = text(a, "paper", where);
      Paper paper = papers.containsKey(paperKey) ? papers.get(paperKey) : Papers.find(paperKey).orElseThrow(() ->
          new InvalidInputException(where + ": anchor of row '" + row + "' cites unknown paper '" + paperKey
              + "' (neither in the board's 'papers' nor in the registry: " + String.join(", ", Papers.all().keySet()) + ")"));
      BoardDefinition.Citation citation = new BoardDefinition.Citation(paper, text(a, "table", where),
          a.path("note").asText(null));
      Iterator<Map.Entry<String, JsonNode>> values = a.path("values").fields();
      while (values.hasNext()) {
        Map.Entry<String, JsonNode> v = values.next();
        if (!columnIds.contains(v.getKey())) {
          throw new InvalidInputException(where + ": anchor of row '" + row + "' names unknown column '" + v.getKey() + "'");
        }
        if (!v.getValue().isNumber()) {
          throw new InvalidInputException(where + ": anchor " + row + "/" + v.getKey() + " is not a number");
        }
        anchors.add(new BoardDefinition.Anchor(row, v.getKey(), v.getValue().asDouble(), citation));
      }
    }
    return new BoardDefinition(name, root.path("title").asText(name), root.path("metric").asText("mIoU"), columns, rows,
        anchors, root.path("includeUnlisted").asBoolean(false), root.path("description").asText(""));
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new InvalidInputException(where + ": missing text field '" + field + "'");
    }
    return v.asText();
  }

  private static JsonNode array(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray() || v.isEmpty()) {
      throw new InvalidInputException(where + ": '" + field + "' must be a non-empty array");
    }
    return v;
  }
}

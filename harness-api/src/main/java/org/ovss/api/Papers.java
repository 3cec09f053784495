package org.ovss.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The citation registry: every paper the harness names (method providers, protocols, boards) by a stable key, from
 * the data file {@code org/ovss/api/papers.json}. A key is the method's name and the year ({@code sclip-2024}).
 */
public final class Papers {
  private static final String RESOURCE = "papers.json";
  private static final Map<String, Paper> BUILT_IN = load();

  private Papers() {}

  /** Every registered paper by key, in the file's order. */
  public static Map<String, Paper> all() {
    return BUILT_IN;
  }

  /** The paper of {@code id}, or a refusal listing the registered keys. */
  public static Paper get(String id) {
    Paper p = BUILT_IN.get(id);
    if (p == null) {
      throw new UnknownNameException("paper", id, BUILT_IN.keySet());
    }
    return p;
  }

  public static Optional<Paper> find(String id) {
    return Optional.ofNullable(BUILT_IN.get(id));
  }

  /**
   * Papers from a JSON object of key to entry ({@code name}, {@code authors}, {@code title}, {@code venue},
   * {@code year}, optional {@code arxiv}, {@code doi}, {@code code}); {@code where} names the file in messages.
   */
  public static Map<String, Paper> parse(JsonNode papers, String where) {
    if (!papers.isObject()) {
      throw new InvalidInputException(where + ": 'papers' must be a JSON object of key to paper");
    }
    Map<String, Paper> out = new LinkedHashMap<>();
    papers.properties().forEach(e -> out.put(e.getKey(), paper(e.getKey(), e.getValue(), where)));
    return Collections.unmodifiableMap(out);
  }

  private static Paper paper(String id, JsonNode p, String where) {
    String at = where + ": paper '" + id + "'";
    List<String> authors = new ArrayList<>();
    p.path("authors").forEach(a -> authors.add(a.asText()));
    if (authors.isEmpty() || authors.stream().anyMatch(String::isBlank)) {
      throw new InvalidInputException(at + " needs 'authors', a non-empty list of surnames");
    }
    if (!p.path("year").canConvertToInt() || p.path("year").asInt() < 1900) {
      throw new InvalidInputException(at + " needs a numeric 'year'");
    }
    return new Paper(id, text(p, "name", at), authors, text(p, "title", at), text(p, "venue", at), p.get("year").asInt(),
        optional(p, "arxiv"), optional(p, "doi"), optional(p, "code"));
  }

  private static String text(JsonNode node, String field, String at) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new InvalidInputException(at + " needs a text field '" + field + "'");
    }
    return v.asText();
  }

  private static String optional(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  private static Map<String, Paper> load() {
    try (InputStream in = Papers.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource org/ovss/api/" + RESOURCE);
      }
      return parse(new ObjectMapper().readTree(in), "org/ovss/api/" + RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read org/ovss/api/" + RESOURCE, e);
    }
  }
}

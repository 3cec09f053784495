package org.ovss.runner.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.ovss.api.Execution;
import java.util.Optional;
import org.ovss.api.InvalidInputException;
import org.ovss.api.Papers;
import org.ovss.api.UnknownNameException;
import org.ovss.leaderboards.ProtocolHash;
import org.ovss.api.plugins.PluginRegistry;

/**
 * Protocols as named data files: a base, optional per-dataset overrides ({@code datasets.NAME}), an
 * optional {@code extends} parent, and command-line overrides on top. The resolved protocol is hashed over its
 * name and values ({@link ProtocolHash}: not its description, paper or source) so results name exactly what
 * produced them, and a better citation never changes a hash.
 */
public final class Protocols {
  /** Data kind of protocols in {@link PluginRegistry}: files {@code META-INF/ovss/protocols/NAME.json}. */
  public static final String KIND = "protocols";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private Protocols() {}

  /** A protocol resolved for a dataset, with its hash ({@link ProtocolHash}) and its full JSON (every key). */
  public record Resolved(Protocol protocol, String hash, String canonicalJson) {}

  /** Names of the protocols the harness and its plugins bring, sorted. */
  public static List<String> names() {
    return PluginRegistry.get().names(KIND);
  }

  /**
   * @param nameOrFile name (of the harness's or a plugin's protocol) or path of a protocol JSON file
   * @param dataset dataset name whose overrides apply
   * @param overrides command-line overrides, key = protocol field, value = JSON-compatible text
   */
  public static Resolved resolve(String nameOrFile, String dataset, Map<String, String> overrides) {
    ObjectNode merged = load(nameOrFile, 0);
    JsonNode perDataset = merged.remove("datasets");
    merged.remove("extends");
    if (perDataset != null && perDataset.has(dataset)) {
      merged.setAll(object(perDataset.get(dataset), "datasets." + dataset, nameOrFile));
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (!merged.has(e.getKey())) {
        throw new InvalidInputException("unknown protocol setting '" + e.getKey() + "'");
      }
      merged.set(e.getKey(), parseValue(e.getKey(), e.getValue(), merged.get(e.getKey())));
    }
    Protocol p;
    try {
      p = JSON.treeToValue(merged, Protocol.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException("protocol " + nameOrFile + " has an unknown key '" + e.getPropertyName() + "'");
    } catch (JsonProcessingException e) {
      throw new InvalidInputException("protocol " + nameOrFile + " is invalid: " + e.getOriginalMessage());
    }
    validate(p);
    if (p.paper() != null && Papers.find(p.paper()).isEmpty()) {
      throw new InvalidInputException("protocol " + nameOrFile + " cites unknown paper '" + p.paper() + "'; available: "
          + String.join(", ", Papers.all().keySet()) + " (or null, and the citation in 'source')");
    }
    try {
      JsonNode tree = JSON.valueToTree(p);
      String canonical = JSON.writeValueAsString(JSON.treeToValue(tree, Map.class));
      return new Resolved(p, ProtocolHash.of(tree), canonical);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The protocol as run at {@code precision}: unchanged at fp32; otherwise its canonical JSON gains {@code
   * "precision"} and so a hash of its own, which keeps an int8 cell off the fp32 cells of a board.
   */
  public static Resolved withPrecision(Resolved r, Execution.Precision precision) {
    if (precision == Execution.Precision.FP32) {
      return r;
    }
    try {
      ObjectNode tree = (ObjectNode) JSON.readTree(r.canonicalJson());
      tree.put("precision", precision.id());
      String canonical = JSON.writeValueAsString(JSON.treeToValue(tree, Map.class));
      return new Resolved(r.protocol(), ProtocolHash.of(tree), canonical);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode load(String nameOrFile, int depth) {
    if (depth > 8) {
      throw new InvalidInputException("protocol " + nameOrFile + ": 'extends' chain is too deep (a cycle?)");
    }
    ObjectNode node;
    try {
      Optional<PluginRegistry.Data> named = PluginRegistry.get().data(KIND, nameOrFile);
      if (named.isPresent()) {
        try (InputStream in = named.get().open()) {
          JsonNode read = JSON.readTree(in);
          if (!(read instanceof ObjectNode object)) {
            throw new InvalidInputException("protocol " + named.get().where() + " must hold a JSON object");
          }
          node = object;
        }
      } else if (Files.isRegularFile(Path.of(nameOrFile))) {
        JsonNode read = JSON.readTree(Files.readString(Path.of(nameOrFile), StandardCharsets.UTF_8));
        if (!(read instanceof ObjectNode object)) {
          throw new InvalidInputException("protocol file " + nameOrFile + " must hold a JSON object");
        }
        node = object;
      } else {
        throw new UnknownNameException("protocol", nameOrFile, names());
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot read protocol " + nameOrFile + ": " + e.getMessage(), e);
    }
    JsonNode datasetsNode = node.get("datasets");
    if (datasetsNode != null) {
      object(datasetsNode, "datasets", nameOrFile).properties()
          .forEach(e -> object(e.getValue(), "datasets." + e.getKey(), nameOrFile));
    }
    JsonNode parent = node.get("extends");
    if (parent == null || parent.isNull()) {
      return node;
    }
    if (!parent.isTextual()) {
      throw new InvalidInputException("protocol " + nameOrFile + ": 'extends' must be a protocol name or file, got " + parent);
    }
    ObjectNode base = load(parent.asText(), depth + 1);
    ObjectNode baseDatasets = (ObjectNode) base.remove("datasets");
    JsonNode childDatasets = node.remove("datasets");
    base.setAll(node);
    if (baseDatasets != null || childDatasets != null) {
      ObjectNode datasets = baseDatasets == null ? JsonNodeFactory.instance.objectNode() : baseDatasets;
      if (childDatasets != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = childDatasets.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          ObjectNode target = datasets.has(e.getKey()) ? (ObjectNode) datasets.get(e.getKey()) : datasets.putObject(e.getKey());
          target.setAll((ObjectNode) e.getValue());
        }
      }
      base.set("datasets", datasets);
    }
    return base;
  }

  /** {@code node} as an object, or a refusal naming where in which protocol it is not one. */
  private static ObjectNode object(JsonNode node, String where, String nameOrFile) {
    if (node instanceof ObjectNode o) {
      return o;
    }
    throw new InvalidInputException("protocol " + nameOrFile + ": '" + where + "' must be a JSON object, got " + node);
  }

  private static JsonNode parseValue(String key, String text, JsonNode current) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    String t = text.strip();
    if (t.equalsIgnoreCase("null") || t.equalsIgnoreCase("off")) {
      return f.nullNode();
    }
    try {
      if (current.isInt() || key.equals("shortSide") || key.equals("longSide") || key.equals("crop") || key.equals("stride")) {
        return f.numberNode(Integer.parseInt(t));
      }
      if (current.isNumber() || key.endsWith("Threshold") || key.equals("logitScale")) {
        return f.numberNode(Double.parseDouble(t));
      }
    } catch (NumberFormatException e) {
      throw new InvalidInputException("protocol setting " + key + " needs a number, got '" + text + "'");
    }
    if (key.equals("pamr") || key.equals("crf")) {
      ObjectNode params = f.objectNode();
      for (String kv : t.split(";")) {
        if (kv.isBlank()) {
          continue;
        }
        String[] parts = kv.split("=", 2);
        if (parts.length != 2) {
          throw new InvalidInputException("protocol setting " + key + " takes NAME=VALUE;..., got '" + text + "'");
        }
        params.put(parts[0].strip(), parts[1].strip());
      }
      return params;
    }
    return f.textNode(t);
  }

  /** Checks that the numbers make a runnable protocol; the message names the value at fault. */
  public static void validate(Protocol p) {
    require(p.shortSide() > 0, "shortSide must be positive, got " + p.shortSide());
    require(p.longSide() >= p.shortSide(), "longSide " + p.longSide() + " is below shortSide " + p.shortSide());
    require(p.slide() || "whole".equals(p.mode()), "mode must be 'slide' or 'whole', got '" + p.mode() + "'");
    if (p.slide()) {
      require(p.crop() > 0, "crop must be positive, got " + p.crop());
      require(p.stride() > 0, "stride must be positive, got " + p.stride());
      require(p.stride() <= p.crop(), "stride " + p.stride() + " is larger than crop " + p.crop() + ": pixels would be skipped");
    }
    require(p.logitScale() > 0, "logitScale must be positive, got " + p.logitScale());
    require(p.probThreshold() >= 0 && p.probThreshold() <= 1, "probThreshold must be in [0, 1], got " + p.probThreshold());
    require(p.areaThreshold() == null || (p.areaThreshold() >= 0 && p.areaThreshold() <= 1),
        "areaThreshold must be in [0, 1], got " + p.areaThreshold());
    // Its meaning belongs to a method with its own background rule (PACL: entropy in nats; SimSeg: sigmas);
    // the runner's probability rule checks [0, 1] itself (Evaluator).
    require(p.bgThreshold() == null || (p.bgThreshold() >= 0 && Double.isFinite(p.bgThreshold())),
        "bgThreshold must be a finite number >= 0, got " + p.bgThreshold());
    require(List.of("clip", "imagenet", "method").contains(p.normalization()),
        "normalization must be clip, imagenet or method, got '" + p.normalization() + "'");
    require(List.of("default", "alt").contains(p.classNames()), "classNames must be default or alt, got '" + p.classNames() + "'");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException("invalid protocol: " + message);
    }
  }
}

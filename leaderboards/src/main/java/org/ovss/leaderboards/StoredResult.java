package org.ovss.leaderboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.InvalidInputException;

/**
 * One {@code results.json} as the store keeps it (schema {@code ovss-results/1}; see the runner's EvalResults),
 * plus where it was found. Read through Jackson's tree so that fields added later never break this reader.
 *
 * @param source the directory that held the results.json (its {@code predictions/} folder has the label maps)
 * @param json the whole document, for renderers that show protocol and provenance
 * @param datasetVersion the version of a generated dataset ({@code ovss-synth/2}), or null for other datasets and
 *     for results written before versions were recorded
 */
public record StoredResult(String method, String methodName, String weights, String weightsSha256, String weightsLabel,
    String dataset, String dataRoot, String protocolName, String protocolSha256, long images, Map<String, Double> metrics,
    List<ClassScore> classes, String startedAt, Path source, JsonNode json, String datasetVersion) {

  /** Per-class scores, fractions in [0, 1]; null when the class never occurs. */
  public record ClassScore(String name, Double iou, Double acc) {}

  public static final String SCHEMA = "ovss-results/1";

  /**
   * The store key: a cell is one method with one weights file on one dataset (of one version, when versioned) under
   * one resolved protocol.
   */
  public String key() {
    return key(method, weightsSha256, dataset, protocolSha256, datasetVersion);
  }

  /** The store key of a result with these fields ({@code datasetVersion} may be null). */
  public static String key(String method, String weightsSha256, String dataset, String protocolSha256,
      String datasetVersion) {
    String key = method + "|" + weightsSha256 + "|" + dataset + "|" + protocolSha256;
    return datasetVersion == null ? key : key + "|" + datasetVersion;
  }

  /** mIoU in percent, or null. */
  public Double mIoU() {
    return metrics.get("mIoU");
  }

  /** The weights label, or the first 8 hex digits of the weights hash when the run set none. */
  public String weightsName() {
    return weightsLabel != null ? weightsLabel : weightsSha256.substring(0, Math.min(8, weightsSha256.length()));
  }

  public Path predictions() {
    return source.resolve("predictions");
  }

  /** Reads a results.json; anything missing or of the wrong type is reported with the file's path. */
  public static StoredResult read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("corrupt results file " + file + ": " + e.getMessage(), e);
    }
    return of(root, file.toAbsolutePath().normalize().getParent(), file.toString());
  }

  static StoredResult of(JsonNode root, Path source, String where) {
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("corrupt results file " + where + ": not a JSON object");
    }
    String schema = root.path("schema").asText("");
    if (!schema.equals(SCHEMA)) {
      throw new InvalidInputException("corrupt results file " + where + ": schema '" + schema + "', expected '" + SCHEMA + "'");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    JsonNode m = root.path("metrics");
    if (!m.isObject()) {
      throw new InvalidInputException("corrupt results file " + where + ": missing 'metrics'");
    }
    m.fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : null));
    List<ClassScore> classes = new ArrayList<>();
    for (JsonNode c : root.path("classes")) {
      classes.add(new ClassScore(c.path("name").asText(), number(c.get("iou")), number(c.get("acc"))));
    }
    for (String field : List.of("method", "weightsSha256", "dataset", "protocolSha256")) {
      required(root, field, where);
    }
    root = rekeyed(root, where);
    JsonNode protocol = root.path("protocol");
    return new StoredResult(required(root, "method", where), root.path("methodName").asText(root.path("method").asText()),
        root.path("weights").asText(""), required(root, "weightsSha256", where),
        root.hasNonNull("weightsLabel") ? root.get("weightsLabel").asText() : null, required(root, "dataset", where),
        root.hasNonNull("dataRoot") ? root.get("dataRoot").asText() : null, protocol.path("name").asText("?"),
        required(root, "protocolSha256", where), root.path("images").asLong(), Collections.unmodifiableMap(metrics),
        List.copyOf(classes), root.path("provenance").path("startedAt").asText(""), source, root,
        root.hasNonNull("datasetVersion") ? root.get("datasetVersion").asText() : null);
  }

  /**
   * {@code root} with its protocol hash of the current definition ({@link ProtocolHash}). A result written before it
   * (no {@code protocolHashVersion}: the hash covered the protocol's description and citation too) is re-keyed from
   * the protocol it holds, its old hash kept as {@code protocolSha256Version1}, so that it shares a cell with the same
   * run made now; one without its protocol, or from a newer harness, is refused.
   */
  private static JsonNode rekeyed(JsonNode root, String where) {
    int version = root.path("protocolHashVersion").asInt(1);
    if (version == ProtocolHash.VERSION) {
      return root;
    }
    if (version > ProtocolHash.VERSION) {
      throw new InvalidInputException("results file " + where + " has protocol hash version " + version + ", newer than"
          + " this harness's " + ProtocolHash.VERSION + "; collect it with the harness that wrote it");
    }
    JsonNode protocol = root.get("protocol");
    if (protocol == null || !protocol.isObject()) {
      throw new InvalidInputException("results file " + where + " predates protocol hashes over values only and holds no"
          + " 'protocol' to re-hash; evaluate it again");
    }
    ObjectNode copy = ((ObjectNode) root).deepCopy();
    copy.put("protocolSha256Version1", required(root, "protocolSha256", where));
    copy.put("protocolSha256", ProtocolHash.of(protocol));
    copy.put("protocolHashVersion", ProtocolHash.VERSION);
    return copy;
  }

  private static String required(JsonNode root, String field, String where) {
    JsonNode v = root.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new InvalidInputException("corrupt results file " + where + ": missing '" + field + "'");
    }
    return v.asText();
  }

  private static Double number(JsonNode v) {
    return v == null || !v.isNumber() ? null : v.asDouble();
  }
}

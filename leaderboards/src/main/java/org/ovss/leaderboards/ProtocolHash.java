package org.ovss.leaderboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The one definition of a resolved protocol's hash, shared by the runner (which writes it into results.json as
 * {@code protocolSha256}) and the result store (which re-keys results written under the earlier definition).
 *
 * <p>Version 2 (this one): SHA-256 of the protocol's canonical JSON (keys sorted at every level, no whitespace)
 * without the keys that describe or cite it, {@link #NOT_HASHED}: its name and every value that changes results
 * (sizes, windows, scales, thresholds, prompts, class names, normalisation, post-processing, feature metrics) are
 * hashed, so a better description or citation never changes a hash. Version 1 hashed every key, description and
 * citation included.
 */
public final class ProtocolHash {
  /** The definition results.json records as {@code protocolHashVersion}; absent means 1. */
  public static final int VERSION = 2;

  /** Keys of a protocol that describe it or cite where it comes from: not part of the hash. */
  public static final List<String> NOT_HASHED = List.of("description", "paper", "source");

  private static final ObjectMapper CANONICAL = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private ProtocolHash() {}

  /** The hash of a resolved protocol given as a JSON object (as results.json's {@code protocol} holds it). */
  public static String of(JsonNode protocol) {
    if (!(protocol instanceof ObjectNode object)) {
      throw new IllegalArgumentException("a protocol is a JSON object, got " + protocol);
    }
    ObjectNode values = object.deepCopy();
    values.remove(NOT_HASHED);
    try {
      return sha256(CANONICAL.writeValueAsString(CANONICAL.treeToValue(values, Map.class)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

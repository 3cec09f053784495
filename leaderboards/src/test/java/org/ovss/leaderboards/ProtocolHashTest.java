package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ProtocolHashTest {
  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  @Test
  void hashIsOfTheSortedNameAndValuesOnly() throws Exception {
    String h = ProtocolHash.of(json("{\"name\": \"p\", \"crop\": 224, \"logitScale\": 40.0, \"pamr\": {\"b\": \"2\", \"a\": \"1\"},"
        + " \"description\": \"d\", \"paper\": \"sclip-2024\", \"source\": \"s\"}"));
    // the canonical text, by hand: keys sorted at every level, no description, paper or source
    assertThat(h).isEqualTo(ProtocolHash.sha256("{\"crop\":224,\"logitScale\":40.0,\"name\":\"p\",\"pamr\":{\"a\":\"1\",\"b\":\"2\"}}"));
    assertThat(ProtocolHash.of(json("{\"pamr\": {\"a\": \"1\", \"b\": \"2\"}, \"logitScale\": 40.0, \"name\": \"p\","
        + " \"crop\": 224}"))).isEqualTo(h);
    assertThat(ProtocolHash.of(json("{\"name\": \"p\", \"crop\": 224, \"logitScale\": 40.0, \"pamr\": {\"a\": \"1\","
        + " \"b\": \"2\"}, \"description\": \"other\", \"paper\": null, \"source\": \"better citation\"}"))).isEqualTo(h);
    assertThat(ProtocolHash.of(json("{\"name\": \"p\", \"crop\": 336, \"logitScale\": 40.0, \"pamr\": {\"a\": \"1\","
        + " \"b\": \"2\"}}"))).isNotEqualTo(h);
    assertThat(ProtocolHash.of(json("{\"name\": \"p\", \"crop\": 224, \"logitScale\": 40.0, \"pamr\": {\"a\": \"1\","
        + " \"b\": \"3\"}}"))).isNotEqualTo(h);
  }
}

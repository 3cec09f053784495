package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.leaderboards.ResultFixtures.Cell;

class ResultStoreTest {
  @TempDir Path dir;

  @Test
  void collectsEveryResultsJsonUnderTheDirectoryIntoAnIndexedStore() throws Exception {
    ResultFixtures.write(dir.resolve("sclip/voc21"), Cell.of("sclip", null, "voc21", "sclip", 58.0));
    ResultFixtures.write(dir.resolve("deep/a/b/clip"), Cell.of("clip", "trained", "voc21", "sclip", 17.0));
    ResultStore store = ResultStore.open(dir);
    assertThat(store.collect()).isEqualTo(new ResultStore.Collected(2, 0, 0));
    JsonNode index = new ObjectMapper().readTree(store.indexFile().toFile());
    assertThat(index.get("cells")).hasSize(2);
    for (JsonNode e : index.get("cells")) {
      assertThat(store.indexFile().resolveSibling(e.get("file").asText())).exists();
      assertThat(e.get("key").asText()).contains(e.get("weightsSha256").asText(), e.get("protocolSha256").asText());
    }
    assertThat(store.collect()).as("nothing new").isEqualTo(new ResultStore.Collected(0, 0, 2));
  }

  @Test
  void aCellRunAgainReplacesTheStoredOneAndTheStoreOutlivesItsSources() throws Exception {
    Cell first = Cell.of("sclip", null, "voc21", "sclip", 50.0);
    ResultFixtures.write(dir.resolve("run1"), first);
    ResultStore.open(dir).collect();
    // Same method, weights, dataset and protocol hash, run later into another directory.
    ResultFixtures.write(dir.resolve("run2"), first.value(55.5).startedAt("2026-02-01T00:00:00Z"));
    ResultStore store = ResultStore.open(dir);
    assertThat(store.collect()).isEqualTo(new ResultStore.Collected(0, 1, 1));
    assertThat(store.results()).singleElement().extracting(StoredResult::mIoU).isEqualTo(55.5);

    // Boards render from the store alone: the runs' own files may be gone.
    Files.delete(dir.resolve("run1/results.json"));
    Files.delete(dir.resolve("run2/results.json"));
    assertThat(ResultStore.open(dir).results()).singleElement().extracting(StoredResult::mIoU).isEqualTo(55.5);
  }

  @Test
  void corruptResultsNameTheFile() throws Exception {
    Path bad = dir.resolve("x/results.json");
    Files.createDirectories(bad.getParent());
    Files.writeString(bad, "{\"schema\": \"ovss-results/1\", \"method\": ");
    assertThatThrownBy(() -> ResultStore.open(dir).collect()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("corrupt results file").hasMessageContaining(bad.toString());
    Files.writeString(bad, "{\"schema\": \"ovss-results/1\", \"method\": \"sclip\", \"metrics\": {}}");
    assertThatThrownBy(() -> ResultStore.open(dir).collect()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(bad.toString()).hasMessageContaining("weightsSha256");
  }

  @Test
  void missingResultsDirectoryIsAClearError() {
    assertThatThrownBy(() -> ResultStore.open(dir.resolve("nope"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("results directory").hasMessageContaining("nope").hasMessageContaining("does not exist");
  }
}

package org.ovss.leaderboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /** A results.json as written before protocol hashes covered values only: every protocol key hashed, no version. */
  private static Path writeVersion1(Path dir, Cell c) throws Exception {
    Path file = ResultFixtures.write(dir, c);
    ObjectNode root = (ObjectNode) new ObjectMapper().readTree(file.toFile());
    root.remove("protocolHashVersion");
    ((ObjectNode) root.get("protocol")).put("description", "old words").put("source", "an old citation");
    Files.writeString(file, root.toString());
    return file;
  }

  @Test
  void resultsHashedOverTheWholeProtocolAreRekeyedFromTheProtocolTheyHold() throws Exception {
    Cell run = Cell.of("sclip", null, "voc21", "sclip", 50.0);
    Path old = writeVersion1(dir.resolve("old"), run);
    JsonNode protocol = new ObjectMapper().readTree(old.toFile()).get("protocol");
    String valuesHash = ProtocolHash.of(protocol);
    assertThat(valuesHash).isNotEqualTo(run.protocolSha256());

    StoredResult r = StoredResult.read(old);
    assertThat(r.protocolSha256()).isEqualTo(valuesHash);
    assertThat(r.key()).endsWith("|" + valuesHash);
    assertThat(r.json().get("protocolSha256Version1").asText()).isEqualTo(run.protocolSha256());
    assertThat(r.json().get("protocolHashVersion").asInt()).isEqualTo(ProtocolHash.VERSION);

    // The same run made now, with the current hash: one cell, the later run's.
    ResultFixtures.write(dir.resolve("new"), Cell.of("sclip", null, "voc21", "sclip", 50.0).value(52.0)
        .withProtocolHash(valuesHash).startedAt("2026-02-01T00:00:00Z"));
    ResultStore store = ResultStore.open(dir);
    // new/ is read first; old/ then falls on the same key and, having started earlier, leaves it
    assertThat(store.collect()).isEqualTo(new ResultStore.Collected(1, 0, 1));
    assertThat(store.results()).singleElement().extracting(StoredResult::mIoU).isEqualTo(52.0);
    assertThat(ResultStore.open(dir).results()).singleElement().extracting(StoredResult::protocolSha256)
        .isEqualTo(valuesHash);
  }

  @Test
  void aStoreWrittenBeforeIsRekeyedOnItsNextCollect() throws Exception {
    // A store as the earlier harness left it: two cells of one run whose protocol descriptions differed, so their
    // hashes did too; the run's own results.json files are gone.
    Path cells = Files.createDirectories(dir.resolve("store/cells"));
    ObjectNode index = new ObjectMapper().createObjectNode().put("schema", "ovss-store/1");
    String valuesHash = null;
    for (String run : new String[] {"a", "b"}) {
      Path results = writeVersion1(dir.resolve(run), Cell.of("sclip", null, "voc21", "sclip", run.equals("a") ? 50.0 : 51.0)
          .withProtocolHash(ResultFixtures.sha("old hash " + run)).startedAt("2026-01-0" + (run.equals("a") ? 1 : 2) + "T00:00:00Z"));
      ObjectNode doc = new ObjectMapper().createObjectNode().put("key", "old-" + run).put("source", results.getParent().toString());
      doc.set("results", new ObjectMapper().readTree(results.toFile()));
      valuesHash = ProtocolHash.of(doc.get("results").get("protocol"));
      Files.writeString(cells.resolve("old-" + run + ".json"), doc.toString());
      index.withArray("cells").addObject().put("file", "cells/old-" + run + ".json");
      Files.delete(results);
    }
    Files.writeString(dir.resolve("store/index.json"), index.toString());

    ResultStore store = ResultStore.open(dir);
    assertThat(store.results()).hasSize(1);
    assertThat(store.results().get(0).mIoU()).as("the later run").isEqualTo(51.0);
    assertThat(store.results().get(0).protocolSha256()).isEqualTo(valuesHash);
    store.collect();
    assertThat(cells.resolve("old-a.json")).doesNotExist();
    assertThat(cells.resolve("old-b.json")).doesNotExist();
    assertThat(ResultStore.open(dir).results()).singleElement().extracting(StoredResult::mIoU).isEqualTo(51.0);
    try (var files = Files.list(cells)) {
      assertThat(files.toList()).hasSize(1);
    }
  }

  @Test
  void oldResultsWithoutTheirProtocolAndResultsOfANewerHashAreRefused() throws Exception {
    Path old = writeVersion1(dir.resolve("old"), Cell.of("sclip", null, "voc21", "sclip", 50.0));
    ObjectNode root = (ObjectNode) new ObjectMapper().readTree(old.toFile());
    root.remove("protocol");
    Files.writeString(old, root.toString());
    assertThatThrownBy(() -> ResultStore.open(dir).collect()).isInstanceOf(InvalidInputException.class)
        .hasMessage("results file " + old + " predates protocol hashes over values only and holds no 'protocol' to"
            + " re-hash; evaluate it again");
    root.put("protocolHashVersion", 3);
    Files.writeString(old, root.toString());
    assertThatThrownBy(() -> ResultStore.open(dir).collect()).isInstanceOf(InvalidInputException.class)
        .hasMessage("results file " + old + " has protocol hash version 3, newer than this harness's 2; collect it"
            + " with the harness that wrote it");
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

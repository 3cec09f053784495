package org.ovss.leaderboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.AtomicFiles;

/**
 * A directory of result cells plus an index: {@code DIR/store/index.json} and {@code DIR/store/cells/KEY.json},
 * one cell per method, weights hash, dataset and protocol hash. {@link #collect()} gathers every
 * {@code results.json} under DIR; a cell run again (same key) replaces the stored one when it started later.
 * Boards and comparisons read only the store, so rendering never recomputes anything.
 *
 * <p>Plain JSON files rather than an embedded database: a store holds hundreds of cells at most, the files can be
 * diffed, copied and read by other tools, and the runner needs no new dependency.
 */
public final class ResultStore {
  public static final String STORE_DIR = "store";

  private final Path root;
  private final Path storeDir;
  private final Map<String, StoredResult> cells = new LinkedHashMap<>();
  /** The cell files the index named when the store was opened (a re-keyed cell moves to its new key's file). */
  private final Set<Path> loadedFiles = new HashSet<>();

  private ResultStore(Path root) {
    this.root = root;
    this.storeDir = root.resolve(STORE_DIR);
  }

  /** What {@link #collect()} did. */
  public record Collected(int added, int replaced, int unchanged) {}

  /** Opens the store under a results directory (created on the first collect). */
  public static ResultStore open(Path resultsDir) {
    if (!Files.isDirectory(resultsDir)) {
      throw new InvalidInputException("results directory " + resultsDir + " does not exist (run 'ovss eval --out DIR'"
          + " or 'ovss demo' first)");
    }
    ResultStore store = new ResultStore(resultsDir.toAbsolutePath().normalize());
    store.load();
    return store;
  }

  public Path root() {
    return root;
  }

  public Path indexFile() {
    return storeDir.resolve("index.json");
  }

  /** Every stored cell, in key order. */
  public List<StoredResult> results() {
    return List.copyOf(cells.values());
  }

  /** Gathers every results.json under the root into the store and rewrites the index. */
  public Collected collect() {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.equals(storeDir) || dir.getFileName().toString().equals("predictions")
              ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (file.getFileName().toString().equals("results.json")) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new InvalidInputException("cannot list results under " + root + ": " + e.getMessage(), e);
    }
    files.sort(null);
    int added = 0;
    int replaced = 0;
    int unchanged = 0;
    for (Path file : files) {
      StoredResult r = StoredResult.read(file);
      StoredResult old = cells.get(r.key());
      if (old == null) {
        added++;
      } else if (old.json().equals(r.json()) && old.source().equals(r.source())) {
        unchanged++;
        continue;
      } else if (r.startedAt().compareTo(old.startedAt()) >= 0) {
        replaced++;
      } else {
        unchanged++;
        continue;
      }
      cells.put(r.key(), r);
      write(r);
    }
    writeIndex();
    return new Collected(added, replaced, unchanged);
  }

  private void load() {
    Path index = indexFile();
    if (!Files.isRegularFile(index)) {
      return;
    }
    JsonNode entries;
    try {
      entries = new ObjectMapper().readTree(index.toFile()).path("cells");
    } catch (IOException e) {
      throw new InvalidInputException("corrupt result store index " + index + ": " + e.getMessage(), e);
    }
    for (JsonNode e : entries) {
      Path cell = storeDir.resolve(e.path("file").asText());
      JsonNode doc;
      try {
        doc = new ObjectMapper().readTree(cell.toFile());
      } catch (IOException ex) {
        throw new InvalidInputException("corrupt result store cell " + cell + ": " + ex.getMessage(), ex);
      }
      StoredResult r = StoredResult.of(doc.path("results"), Path.of(doc.path("source").asText()), cell.toString());
      loadedFiles.add(cell);
      // cells stored under the earlier protocol hash may fall on one key once re-keyed: the later run stays
      StoredResult kept = cells.get(r.key());
      if (kept == null || r.startedAt().compareTo(kept.startedAt()) >= 0) {
        cells.put(r.key(), r);
      }
    }
  }

  private void write(StoredResult r) {
    ObjectNode doc = mapper().createObjectNode();
    doc.put("key", r.key());
    doc.put("source", r.source().toString());
    doc.set("results", r.json());
    writeAtomically(storeDir.resolve(cellFile(r)), doc);
  }

  private void writeIndex() {
    Set<Path> current = new HashSet<>();
    for (StoredResult r : cells.values()) {
      Path file = storeDir.resolve(cellFile(r));
      current.add(file);
      if (!Files.isRegularFile(file)) {
        write(r); // re-keyed when loaded: its file is named by the new key
      }
    }
    for (Path stale : loadedFiles) {
      if (!current.contains(stale)) {
        try {
          Files.deleteIfExists(stale);
        } catch (IOException e) {
          throw new InvalidInputException("cannot remove the re-keyed result store cell " + stale + ": " + e.getMessage(), e);
        }
      }
    }
    ObjectNode index = mapper().createObjectNode();
    index.put("schema", "ovss-store/1");
    ArrayNode list = index.putArray("cells");
    for (StoredResult r : cells.values()) {
      ObjectNode e = list.addObject();
      e.put("key", r.key());
      e.put("method", r.method());
      e.put("weightsSha256", r.weightsSha256());
      e.put("weightsLabel", r.weightsLabel());
      e.put("dataset", r.dataset());
      e.put("protocol", r.protocolName());
      e.put("protocolSha256", r.protocolSha256());
      if (r.mIoU() != null) {
        e.put("mIoU", r.mIoU());
      } else {
        e.putNull("mIoU");
      }
      e.put("startedAt", r.startedAt());
      e.put("source", r.source().toString());
      e.put("file", cellFile(r));
    }
    writeAtomically(indexFile(), index);
  }

  private static String cellFile(StoredResult r) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(r.key().getBytes(StandardCharsets.UTF_8));
      return "cells/" + HexFormat.of().formatHex(digest, 0, 12) + ".json";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static void writeAtomically(Path target, JsonNode doc) {
    try {
      AtomicFiles.writeString(target, mapper().writeValueAsString(doc));
    } catch (IOException e) {
      throw new InvalidInputException("cannot write the result store under " + target.getParent() + ": " + e.getMessage(), e);
    }
  }
}

package org.ovss.leaderboards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes {@code results.json} files of schema ovss-results/1 as the runner does, for store and renderer tests. */
public final class ResultFixtures {
  private ResultFixtures() {}

  /** A result's identity and numbers; {@code classIoU} entries may be null (class never occurs). */
  public record Cell(String method, String methodName, String weightsLabel, String weightsSha256, String dataset,
      String protocol, String protocolSha256, Double mIoU, List<String> classes, List<Double> classIoU, String startedAt) {

    public static Cell of(String method, String weightsLabel, String dataset, String protocol, Double mIoU) {
      return new Cell(method, method.toUpperCase(java.util.Locale.ROOT), weightsLabel,
          sha(method + "/" + weightsLabel), dataset, protocol, sha(protocol + "/" + dataset), mIoU,
          List.of("background", "cat"), java.util.Arrays.asList(0.5, mIoU == null ? null : mIoU / 100), "2026-01-01T00:00:00Z");
    }

    public Cell named(String name) {
      return new Cell(method, name, weightsLabel, weightsSha256, dataset, protocol, protocolSha256, mIoU, classes, classIoU, startedAt);
    }

    public Cell classes(List<String> names, List<Double> ious) {
      return new Cell(method, methodName, weightsLabel, weightsSha256, dataset, protocol, protocolSha256, mIoU, names, ious, startedAt);
    }

    public Cell startedAt(String when) {
      return new Cell(method, methodName, weightsLabel, weightsSha256, dataset, protocol, protocolSha256, mIoU, classes, classIoU, when);
    }

    public Cell withProtocolHash(String hash) {
      return new Cell(method, methodName, weightsLabel, weightsSha256, dataset, protocol, hash, mIoU, classes, classIoU, startedAt);
    }

    public Cell value(Double v) {
      return new Cell(method, methodName, weightsLabel, weightsSha256, dataset, protocol, protocolSha256, v, classes, classIoU, startedAt);
    }
  }

  /** 64 hex digits derived from {@code seed}, standing in for a file or protocol hash. */
  public static String sha(String seed) {
    String hex = String.format("%016x", seed.hashCode() * 0x9E3779B97F4A7C15L);
    return hex.repeat(4);
  }

  /** Writes {@code dir/results.json} and returns the file. */
  public static Path write(Path dir, Cell c) {
    return write(dir, c, null);
  }

  /** As {@link #write(Path, Cell)}, recording {@code datasetVersion} (a generated dataset's version) when not null. */
  public static Path write(Path dir, Cell c, String datasetVersion) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("schema", "ovss-results/1");
    root.put("method", c.method());
    root.put("methodName", c.methodName());
    root.put("weights", "/weights/" + c.method() + ".safetensors");
    root.put("weightsSha256", c.weightsSha256());
    if (c.weightsLabel() != null) {
      root.put("weightsLabel", c.weightsLabel());
    }
    root.put("dataset", c.dataset());
    root.put("datasetSpecSha256", sha(c.dataset()));
    root.put("splitSha256", sha("split" + c.dataset()));
    root.put("images", 4);
    ObjectNode protocol = root.putObject("protocol");
    protocol.put("name", c.protocol());
    protocol.put("shortSide", 336);
    root.put("protocolSha256", c.protocolSha256());
    root.put("protocolHashVersion", ProtocolHash.VERSION);
    root.put("protocolCitation", "cited as <" + c.protocol() + ">");
    ObjectNode metrics = root.putObject("metrics");
    if (c.mIoU() == null) {
      metrics.putNull("mIoU");
    } else {
      metrics.put("mIoU", c.mIoU());
    }
    metrics.put("mAcc", 50.0);
    metrics.put("aAcc", 80.0);
    ArrayNode classes = root.putArray("classes");
    for (int i = 0; i < c.classes().size(); i++) {
      ObjectNode k = classes.addObject().put("name", c.classes().get(i));
      Double iou = c.classIoU().get(i);
      if (iou == null) {
        k.putNull("iou");
        k.putNull("acc");
      } else {
        k.put("iou", iou);
        k.put("acc", iou);
      }
    }
    ObjectNode provenance = root.putObject("provenance");
    provenance.put("harnessVersion", "test");
    provenance.put("gitCommit", "0123456789abcdef0123456789abcdef01234567");
    provenance.putObject("machine").put("os", "Linux").put("arch", "amd64").put("cores", 2).put("java", "test");
    provenance.put("startedAt", c.startedAt());
    provenance.put("wallSeconds", 1.5);
    if (datasetVersion != null) {
      root.put("datasetVersion", datasetVersion);
    }
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("results.json");
      Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

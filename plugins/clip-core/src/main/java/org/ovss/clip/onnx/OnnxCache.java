package org.ovss.clip.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ovss.datasets.AtomicFiles;

/**
 * Exported ONNX models on disk, one file per key (weights hash, tower, mode, input size, precision, exporter
 * version). A file is written under a unique temporary name and renamed into place, so two runs that share the
 * cache never read half a model; when both export the same key, the second rename replaces an identical file.
 */
public final class OnnxCache {
  /** System property that moves the cache (tests point it at a temporary folder). */
  public static final String PROPERTY = "ovss.onnx.cache";
  /** Environment variable that moves the cache when the property is not set. */
  public static final String ENV = "OVSS_ONNX_CACHE";

  private final Path root;

  public OnnxCache(Path root) {
    this.root = root;
  }

  /** {@value #PROPERTY}, else {@value #ENV}, else {@code ~/.cache/ovss/onnx}. */
  public static OnnxCache fromEnvironment() {
    String p = System.getProperty(PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv(ENV);
    }
    if (p == null || p.isBlank()) {
      return new OnnxCache(Path.of(System.getProperty("user.home"), ".cache", "ovss", "onnx"));
    }
    return new OnnxCache(Path.of(p));
  }

  public Path root() {
    return root;
  }

  /** The file of {@code key}, exported by {@code body} first when it is not there yet. */
  public Path getOrExport(String key, AtomicFiles.Body body) {
    if (!key.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("not a cache key: " + key);
    }
    Path file = root.resolve(key + ".onnx");
    if (Files.isRegularFile(file)) {
      return file;
    }
    try {
      AtomicFiles.write(file, body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ONNX model " + file + ": " + e.getMessage(), e);
    }
    return file;
  }
}

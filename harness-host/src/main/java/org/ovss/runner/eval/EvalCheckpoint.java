package org.ovss.runner.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.ovss.api.FeatureMetric;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.AtomicFiles;
import org.ovss.runner.metrics.IoUAccumulator;

/**
 * The progress of one evaluation in {@code DIR/}{@value #FILE}: the metric histograms (as exact longs), the feature
 * metrics' sums and the number of images done, under a fingerprint of the run (method, weights, dataset, split,
 * protocol, ...). Written atomically every {@link #everyImages} images or {@link #everySeconds} seconds, so a run
 * killed at any moment restarts from its last checkpoint and, since metrics are sums over images in a fixed
 * order, ends with the results of a run that was never interrupted. A checkpoint of another run is refused
 * unless the caller asks to restart.
 */
public final class EvalCheckpoint {
  public static final String FILE = "checkpoint.json";
  static final String SCHEMA = "ovss-eval-checkpoint/1";

  /** Checkpoints nothing (library callers that want no files besides results). */
  public static final EvalCheckpoint NONE = new EvalCheckpoint(null, Map.of(), null, System.err);

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private final Path file;
  private final Map<String, String> fingerprint;
  private final PrintStream console;
  private State loaded;
  private int everyImages = Integer.getInteger("ovss.eval.checkpoint-images", 100);
  private double everySeconds = Double.parseDouble(System.getProperty("ovss.eval.checkpoint-seconds", "5"));
  private int savedDone;
  private long savedAt = System.nanoTime();
  private boolean resumable = true;

  /** The file format. */
  record State(String schema, Map<String, String> fingerprint, long images, long[] intersect, long[] predArea,
      long[] labelArea, Map<String, double[]> featureMetrics) {}

  private EvalCheckpoint(Path file, Map<String, String> fingerprint, State loaded, PrintStream console) {
    this.file = file;
    this.fingerprint = Map.copyOf(fingerprint);
    this.loaded = loaded;
    this.console = console;
  }

  /**
   * The checkpoint of {@code dir} for a run with {@code fingerprint}: resumes a saved one of the same run, starts
   * afresh when there is none (or {@code restart} discards it).
   *
   * @throws InvalidInputException when {@code dir} holds a checkpoint of another run, naming what differs, or a
   *     damaged one
   */
  public static EvalCheckpoint open(Path dir, Map<String, String> fingerprint, boolean restart, PrintStream console) {
    Path file = dir.resolve(FILE);
    if (restart || !Files.exists(file)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new InvalidInputException("cannot remove the old checkpoint " + file + ": " + e.getMessage(), e);
      }
      return new EvalCheckpoint(file, fingerprint, null, console);
    }
    State state = read(file);
    List<String> differences = new ArrayList<>();
    for (String key : union(fingerprint.keySet(), state.fingerprint().keySet())) {
      String was = state.fingerprint().get(key);
      String now = fingerprint.get(key);
      if (!Objects.equals(was, now)) {
        differences.add(key + " was " + was + ", now " + now);
      }
    }
    if (!differences.isEmpty()) {
      throw new InvalidInputException("output directory " + dir + " holds a checkpoint of another evaluation ("
          + String.join("; ", differences) + "); pass --restart to discard it, or choose another --out");
    }
    console.println("resuming from " + file + ": " + state.images() + " image(s) already evaluated");
    return new EvalCheckpoint(file, fingerprint, state, console);
  }

  /** Saves at least every {@code images} images and every {@code seconds} seconds (0: after every image). */
  public EvalCheckpoint every(int images, double seconds) {
    this.everyImages = images;
    this.everySeconds = seconds;
    return this;
  }

  /**
   * Restores the saved sums into fresh accumulators and returns how many images (of the split, in order) they
   * cover; 0 when starting afresh.
   */
  int resume(IoUAccumulator metric, Map<String, FeatureMetric.Accumulator> featureMetrics) {
    for (FeatureMetric.Accumulator a : featureMetrics.values()) {
      if (a.state() == null) {
        resumable = false;
      }
    }
    if (file != null && !resumable) {
      console.println("note: a feature metric of this protocol cannot be checkpointed; this evaluation will not be"
          + " resumable");
    }
    if (loaded == null) {
      return 0;
    }
    State s = loaded;
    loaded = null;
    int classes = metric.state()[0].length;
    if (s.intersect().length != classes || s.predArea().length != classes || s.labelArea().length != classes
        || s.images() < 0 || s.images() > Integer.MAX_VALUE
        || !s.featureMetrics().keySet().equals(featureMetrics.keySet())) {
      throw damaged(file, "its histograms or feature metrics do not fit this run", null);
    }
    metric.restore(new long[][] {s.intersect(), s.predArea(), s.labelArea()}, s.images());
    try {
      featureMetrics.forEach((id, a) -> a.restore(s.featureMetrics().get(id)));
    } catch (RuntimeException e) {
      throw damaged(file, e.getMessage(), e);
    }
    savedDone = (int) s.images();
    return savedDone;
  }

  /** Called after each image; saves when enough images or time have passed since the last save. */
  void imageDone(int done, IoUAccumulator metric, Map<String, FeatureMetric.Accumulator> featureMetrics) {
    if (file == null || !resumable) {
      return;
    }
    long now = System.nanoTime();
    if (done - savedDone < everyImages && (now - savedAt) / 1e9 < everySeconds) {
      return;
    }
    Map<String, double[]> features = new LinkedHashMap<>();
    featureMetrics.forEach((id, a) -> features.put(id, a.state()));
    write(metric.images(), metric.state(), features);
    savedDone = done;
    savedAt = now;
  }

  /**
   * Saves the sums of the first {@code images} images of the split (a distributed run, after each wave of shards):
   * exact histograms and each feature metric's summed state.
   */
  void save(long images, long[][] histograms, Map<String, double[]> features) {
    if (file == null || !resumable) {
      return;
    }
    write(images, histograms, features);
    savedDone = (int) images;
    savedAt = System.nanoTime();
  }

  private void write(long images, long[][] h, Map<String, double[]> features) {
    State state = new State(SCHEMA, new TreeMap<>(fingerprint), images, h[0], h[1], h[2], features);
    try {
      AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
    } catch (IOException e) {
      throw new InvalidInputException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Removes the checkpoint once the results it led to are written. */
  public void finish() {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      console.println("note: cannot remove the finished checkpoint " + file + ": " + e.getMessage());
    }
  }

  private static State read(Path file) {
    State s;
    try {
      s = JSON.readValue(file.toFile(), State.class);
    } catch (JsonProcessingException e) {
      throw damaged(file, e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
    }
    if (s == null || !SCHEMA.equals(s.schema()) || s.fingerprint() == null || s.intersect() == null
        || s.predArea() == null || s.labelArea() == null || s.featureMetrics() == null) {
      throw damaged(file, "it is not an " + SCHEMA + " file", null);
    }
    return s;
  }

  private static InvalidInputException damaged(Path file, String why, Throwable cause) {
    return new InvalidInputException("checkpoint " + file + " is damaged (" + why + "); pass --restart to discard"
        + " it", cause);
  }

  private static List<String> union(Iterable<String> a, Iterable<String> b) {
    TreeMap<String, Boolean> keys = new TreeMap<>();
    a.forEach(k -> keys.put(k, true));
    b.forEach(k -> keys.put(k, true));
    return new ArrayList<>(keys.keySet());
  }
}

package org.ovss.runner.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;
import org.ovss.api.OvssException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.datasets.AtomicFiles;

/**
 * The checkpoints of one run, {@code step-NNNNNNN/} directories (NNNNNNN = steps completed) under
 * one root, each with {@code params.safetensors}, {@code optimizer.safetensors} ({@code m.NAME},
 * {@code v.NAME}) and {@code state.json}. A checkpoint is written into a temporary directory and
 * renamed into place, so every {@code step-*} directory is complete; the newest {@value #KEEP} are
 * kept.
 */
final class Checkpoints {

  private static final String PARAMS = "params.safetensors";
  private static final String OPTIMIZER = "optimizer.safetensors";
  private static final String STATE = "state.json";

  private static final int KEEP = 2;
  private static final Pattern NAME = Pattern.compile("step-(\\d{7,})");

  private final Path root;

  Checkpoints(Path root) {
    this.root = root;
  }

  /** Directory name of the checkpoint after {@code step} steps. */
  static String dirName(int step) {
    return String.format(Locale.ROOT, "step-%07d", step);
  }

  /**
   * The checkpoint with the most steps, if any. Temporary directories a crash left behind are
   * deleted first.
   */
  Optional<Path> latest() {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    for (Path tmp : list(AtomicFiles::isTemporary)) {
      deleteTree(tmp);
    }
    List<Path> done = list(Checkpoints::isComplete);
    return done.isEmpty() ? Optional.empty() : Optional.of(done.get(done.size() - 1));
  }

  /** The state of checkpoint {@code dir}. */
  static CheckpointState state(Path dir) {
    Path file = dir.resolve(STATE);
    try {
      return CheckpointState.parse(file, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new InvalidInputException("cannot read checkpoint state " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies the parameters and optimizer moments of checkpoint {@code dir} into {@code params} and
   * {@code optimizer}, bit for bit. The names and shapes must already have been checked against
   * the checkpoint's state.
   */
  static void restore(Path dir, Map<String, NDArray> params, AdamW optimizer) {
    try (TensorFile weights = TensorFile.open(dir.resolve(PARAMS));
        TensorFile moments = TensorFile.open(dir.resolve(OPTIMIZER))) {
      params.forEach(
          (name, p) -> {
            // set() copies the values in place, so the model's own references see them
            p.set(weights.readFloats(name));
            optimizer.firstMoment(name).set(moments.readFloats("m." + name));
            optimizer.secondMoment(name).set(moments.readFloats("v." + name));
          });
    }
  }

  /** Writes the checkpoint of {@code state}, then deletes all but the newest {@value #KEEP}. */
  void write(CheckpointState state, Map<String, NDArray> params, AdamW optimizer) {
    Path target = root.resolve(dirName(state.step()));
    Path tmp = AtomicFiles.temporarySibling(target);
    try {
      Files.createDirectories(tmp);
      List<SafetensorsWriter.Tensor> weights = new ArrayList<>();
      List<SafetensorsWriter.Tensor> moments = new ArrayList<>();
      params.forEach(
          (name, p) -> {
            long[] shape = p.getShape().getShape();
            weights.add(SafetensorsWriter.Tensor.ofFloats(name, shape, p.toFloatArray()));
            moments.add(
                SafetensorsWriter.Tensor.ofFloats("m." + name, shape, optimizer.firstMoment(name).toFloatArray()));
            moments.add(
                SafetensorsWriter.Tensor.ofFloats("v." + name, shape, optimizer.secondMoment(name).toFloatArray()));
          });
      SafetensorsWriter.write(tmp.resolve(PARAMS), weights, Map.of());
      SafetensorsWriter.write(tmp.resolve(OPTIMIZER), moments, Map.of());
      AtomicFiles.write(tmp.resolve(STATE), state.toJson());
      AtomicFiles.forceDirectory(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.forceDirectory(root);
    } catch (IOException | UncheckedIOException e) {
      try {
        deleteTree(tmp);
      } catch (OvssException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new OvssException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
    List<Path> done = list(p -> NAME.matcher(p.getFileName().toString()).matches());
    for (Path old : done.subList(0, Math.max(0, done.size() - KEEP))) {
      deleteTree(old);
    }
  }

  /** Entries of the root accepted by {@code filter}, ordered by step (names sort numerically). */
  private List<Path> list(Predicate<Path> filter) {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(filter).sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList();
    } catch (IOException e) {
      throw new OvssException("cannot list checkpoints in " + root + ": " + e.getMessage(), e);
    }
  }

  /** A checkpoint directory with all its files; the rename makes any other state transient. */
  private static boolean isComplete(Path dir) {
    return NAME.matcher(dir.getFileName().toString()).matches()
        && Stream.of(PARAMS, OPTIMIZER, STATE).allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  private static long stepOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new OvssException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}

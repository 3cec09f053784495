package org.ovss.runner.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.ovss.api.OvssException;
import org.ovss.datasets.AtomicFiles;

/**
 * {@code train-log.jsonl}: one JSON object per step, {@code {"step", "loss", "lr", "gradNorm",
 * "seconds"}}, with {@code step} counted from 1 (the number of steps done, as in checkpoint names)
 * and {@code seconds} the wall time of that step.
 */
final class TrainLog implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;

  private TrainLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /**
   * Opens {@code file} for appending after dropping the lines of steps after {@code doneSteps}
   * (steps a crashed run did past its last checkpoint, which the resumed run repeats) and any
   * line a crash cut short, so that every step appears once.
   */
  static TrainLog open(Path file, int doneSteps) {
    try {
      if (Files.exists(file)) {
        keepThrough(file, doneSteps);
      }
      return new TrainLog(
          file,
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new OvssException("cannot open training log " + file + ": " + e.getMessage(), e);
    }
  }

  private static void keepThrough(Path file, int doneSteps) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>();
    for (String line : lines) {
      JsonNode entry;
      try {
        entry = JSON.readTree(line);
      } catch (IOException torn) {
        // the last line of a run killed while writing it
        continue;
      }
      // an empty line reads as a missing node, which has no step
      if (entry.path("step").canConvertToInt() && entry.get("step").asInt() <= doneSteps) {
        kept.add(line);
      }
    }
    if (kept.size() == lines.size() && endsWithNewline(file)) {
      return;
    }
    // rewritten beside and renamed, so a crash now leaves either the old log or the new one
    AtomicFiles.writeString(file, kept.stream().map(l -> l + "\n").collect(Collectors.joining()));
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      return last.get(0) == '\n';
    }
  }

  /** Appends the line of 1-based {@code step}. */
  void append(int step, double loss, double lr, double gradNorm, double seconds) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("step", step);
    entry.put("loss", loss);
    entry.put("lr", lr);
    entry.put("gradNorm", gradNorm);
    entry.put("seconds", seconds);
    try {
      ByteBuffer buf = ByteBuffer.wrap((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      throw new OvssException("cannot write training log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Forces the lines written so far to disk, so that they are there whenever a checkpoint is. */
  void sync() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new OvssException("cannot write training log " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new OvssException("cannot close training log " + file + ": " + e.getMessage(), e);
    }
  }
}

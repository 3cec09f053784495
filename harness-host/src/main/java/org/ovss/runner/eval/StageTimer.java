package org.ovss.runner.eval;

import java.util.function.Supplier;

/**
 * Receives how long each {@link Stage} of each image took. Called from the evaluation thread and, for
 * {@link Stage#LOAD}, from the prefetch thread, so implementations must be thread-safe.
 */
@FunctionalInterface
public interface StageTimer {
  StageTimer NONE = (stage, nanos) -> {};

  void record(Stage stage, long nanos);

  /** Runs {@code body} and records its wall time under {@code stage}. */
  default <T> T time(Stage stage, Supplier<T> body) {
    long start = System.nanoTime();
    try {
      return body.get();
    } finally {
      record(stage, System.nanoTime() - start);
    }
  }
}

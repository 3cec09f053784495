package org.ovss.runner.cli;

import org.ovss.api.InvalidInputException;

/**
 * libtorch's thread counts, which DJL reads from system properties once, when the engine starts; so they are
 * set before any command touches an NDArray.
 */
final class EngineThreads {
  private EngineThreads() {}

  static void apply(Integer intraOp, Integer interOp) {
    set("ai.djl.pytorch.num_threads", "--threads", intraOp);
    set("ai.djl.pytorch.num_interop_threads", "--interop-threads", interOp);
  }

  private static void set(String property, String option, Integer value) {
    if (value == null) {
      return;
    }
    if (value < 1) {
      throw new InvalidInputException(option + " must be positive, got " + value);
    }
    System.setProperty(property, value.toString());
  }
}

package org.ovss.runner.cli;

/**
 * Library log levels of the console (slf4j-simple, which reads them once, when the first logger is made): DJL's
 * engine banners and its "Failed to detect GPU count" WARN on a machine without CUDA are noise in normal use, so
 * only errors show unless {@code --verbose}. A level the user set with {@code -Dorg.slf4j.simpleLogger...} wins.
 */
final class Logging {
  static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  private Logging() {}

  static void configure(boolean verbose) {
    if (System.getProperty(DEFAULT_LEVEL) == null) {
      System.setProperty(DEFAULT_LEVEL, verbose ? "info" : "error");
    }
  }
}

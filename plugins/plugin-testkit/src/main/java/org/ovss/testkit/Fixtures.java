package org.ovss.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the reference fixture sets bundled in the repository ({@code fixtures/parity}, described in its README) and
 * CLIP's BPE merge list are, for tests run by Maven: the build passes {@code ovss.parity.dir} (the module's default
 * set, or the user's {@code -Dovss.parity.dir=DIR}), {@code ovss.bpe.file} and {@code ovss.invocation.dir}.
 */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The parity fixture set of this test run. A relative {@code -Dovss.parity.dir} is taken relative to the directory
   * Maven was started in (not the module's directory, where surefire runs the tests).
   *
   * @throws IllegalStateException when the property is missing (the test was not started by Maven) or names no
   *     directory
   */
  public static Path parityDir() {
    Path dir = resolve(require("ovss.parity.dir"));
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("parity fixture directory " + dir + " does not exist (-Dovss.parity.dir)");
    }
    return dir;
  }

  /** CLIP's BPE merge list ({@code bpe_simple_vocab_16e6.txt.gz}) as clip-core bundles it. */
  public static Path bpeFile() {
    Path file = resolve(require("ovss.bpe.file"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("CLIP BPE merge list " + file + " does not exist (-Dovss.bpe.file)");
    }
    return file;
  }

  private static String require(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set: run the tests through Maven "
          + "(the parent pom sets it) or pass -D" + property + "=...");
    }
    return value;
  }

  private static Path resolve(String path) {
    Path p = Path.of(path);
    if (!p.isAbsolute()) {
      p = Path.of(System.getProperty("ovss.invocation.dir", "")).resolve(p);
    }
    return p.toAbsolutePath().normalize();
  }
}

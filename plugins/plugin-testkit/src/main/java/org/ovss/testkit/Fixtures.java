package org.ovss.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the reference fixture sets bundled in the repository ({@code fixtures/parity}, described in its README) and
 * CLIP's BPE merge list are, for tests run by Maven: the build passes {@code ovss.fixtures.dir}, {@code ovss.bpe.file},
 * {@code ovss.invocation.dir} and the user's {@code -Dovss.parity.dir=DIR}, if any.
 */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The parity fixture set of this test run: {@code -Dovss.parity.dir=DIR} when given (a relative DIR is taken
   * relative to the directory Maven was started in, not the module's directory where surefire runs the tests), else
   * the bundled set {@code defaultSet} of {@code fixtures/parity}. A test meant for one kind of set skips itself on
   * another kind (see each test).
   *
   * @throws IllegalStateException when the test was not started by Maven (no fixture location is known) or the
   *     directory does not exist
   */
  public static Path parityDir(String defaultSet) {
    String given = System.getProperty("ovss.parity.dir");
    Path dir = given != null && !given.isBlank()
        ? resolve(given)
        : resolve(require("ovss.fixtures.dir")).resolve(defaultSet);
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

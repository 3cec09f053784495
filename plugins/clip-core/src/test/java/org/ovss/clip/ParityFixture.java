package org.ovss.clip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/** Locates the parity fixtures (system property {@code ovss.parity.dir}) and compares arrays. */
public final class ParityFixture {
  private ParityFixture() {}

  /** The fixture directory: {@code -Dovss.parity.dir=DIR}, by default the bundled {@code fixtures/parity/clip-tiny}. */
  public static Path dir() {
    return Fixtures.parityDir("clip-tiny");
  }

  /**
   * Skips the calling test class when {@code -Dovss.parity.dir} names another method's fixture set (one with a
   * {@code NAME-io.safetensors} but no {@code io.safetensors}, such as groupvit-tiny), so that {@code mvn -pl
   * plugins/X -am -Dtest='*Parity*' -Dovss.parity.dir=DIR} runs X's parity tests without failing CLIP's on DIR.
   * A directory with neither file still fails loudly in the tests that read it.
   */
  public static void assumeClipFixtureSet() {
    Path dir = dir();
    boolean otherMethod = false;
    try (Stream<Path> files = Files.list(dir)) {
      otherMethod = !Files.exists(dir.resolve("io.safetensors"))
          && files.anyMatch(f -> f.getFileName().toString().endsWith("-io.safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list parity fixture directory " + dir, e);
    }
    Assumptions.assumeFalse(otherMethod, dir + " is another method's parity fixture set, not CLIP's");
  }

  /** CLIP's BPE merge list as clip-core bundles it. */
  public static Path bpeFile() {
    return Fixtures.bpeFile();
  }

  /** The three files that hold the same tiny CLIP. */
  public static List<String> weightFiles() {
    return List.of("weights-openai.safetensors", "weights-hf.safetensors", "weights-openai-jit.pt");
  }

  /** A float tensor of a fixture file with its shape. */
  public record Tensor(float[] values, long[] shape) {}

  public static Tensor read(String file, String name) {
    try (TensorFile f = TensorFile.open(dir().resolve(file))) {
      return new Tensor(f.readFloats(name), f.info(name).shape());
    }
  }

  public static long[] readLongs(String file, String name) {
    try (TensorFile f = TensorFile.open(dir().resolve(file))) {
      return f.readLongs(name);
    }
  }

  /** Largest absolute difference; fails on a length mismatch. */
  public static double maxAbsDiff(float[] actual, float[] expected) {
    if (actual.length != expected.length) {
      throw new AssertionError("length " + actual.length + " != expected " + expected.length);
    }
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs((double) actual[i] - expected[i]);
      if (Double.isNaN(d)) {
        return Double.POSITIVE_INFINITY;
      }
      max = Math.max(max, d);
    }
    return max;
  }

  public static String shape(long[] s) {
    return Arrays.toString(s);
  }
}

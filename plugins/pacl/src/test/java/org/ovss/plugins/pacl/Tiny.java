package org.ovss.plugins.pacl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.ovss.api.ImageTextSource;
import org.ovss.api.MethodConfig;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainSpec;
import org.ovss.clip.model.ClipPresets;
import org.ovss.testkit.AdamTestEngine;
import org.ovss.fixtures.Fixtures;
import org.ovss.testkit.ToyCaptions;

/** Tiny random CLIPs, PACL checkpoints on them and a synthetic image-caption source for the tests. */
final class Tiny {
  private Tiny() {}

  /** Files shared by the tests of one JVM (read-only once written), deleted when it exits. */
  private static Path shared;
  private static final Map<Long, Path> CLIPS = new HashMap<>();
  private static Path sharedPacl;

  private static synchronized Path shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("pacl-tests");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        shared = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at exit
    }
  }

  /**
   * A seeded random clip-core "tiny" CLIP (32 px, patch 8, width 64, 2 blocks, embed 32), written once per
   * JVM and seed (drawing its 3.2M random values takes most of a second); {@code dir} is unused.
   */
  static synchronized Path clip(Path dir, long seed) {
    return CLIPS.computeIfAbsent(seed,
        s -> ClipPresets.writeRandom("tiny", s, shared().resolve("tiny-clip-" + s + ".safetensors")));
  }

  /** A PACL checkpoint of 0 training steps on the tiny CLIP of seed 7, written once per JVM. */
  static synchronized Path pacl() {
    if (sharedPacl == null) {
      sharedPacl = pacl(shared().resolve("pacl-0"), 7L, 0, Map.of());
    }
    return sharedPacl;
  }

  /** CLIP's BPE merge list as clip-core bundles it. */
  static Path bpe() {
    return Fixtures.bpeFile();
  }

  /** Opening config for CLIP or PACL weights with the bundled BPE. */
  static MethodConfig config(Path weights, String... options) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < options.length; i += 2) {
      o.put(options[i], options[i + 1]);
    }
    return new MethodConfig(Optional.of(weights), Optional.of(bpe()), o, 0L);
  }

  /** Trains PACL for {@code steps} steps on a random tiny CLIP into {@code dir/out}; returns the checkpoint. */
  static Path pacl(Path dir, long seed, int steps, Map<String, String> settings) {
    Path clip = clip(dir, seed);
    Map<String, String> s = new HashMap<>(Map.of("batch-size", "4"));
    s.putAll(settings);
    try (SegmentationMethod m = new PaclProvider().open(config(clip))) {
      return m.train(new TrainSpec(dir.resolve("out"), steps, seed, s), source(8, 32, 32), new AdamTestEngine(1e-2),
          TrainListener.NONE).checkpoint();
    }
  }

  /** The test kit's toy image-caption source (coloured squares captioned by their colours). */
  static ImageTextSource source(int count, int height, int width) {
    return ToyCaptions.source(count, height, width);
  }
}

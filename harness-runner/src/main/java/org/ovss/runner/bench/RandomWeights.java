package org.ovss.runner.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ovss.clip.model.ClipPresets;

/**
 * Seeded random CLIP weights of a released architecture (clip-core's presets), written once per preset and seed
 * into a cache folder and reused: drawing 150M Gaussian values takes longer than a benchmark of a few images.
 */
public final class RandomWeights {
  private RandomWeights() {}

  public static Path file(String preset, long seed, Path cacheDir) {
    ClipPresets.get(preset); // unknown names fail before anything is written
    Path file = cacheDir.resolve("random-" + preset + "-seed" + seed + ".safetensors");
    if (Files.isRegularFile(file)) {
      return file;
    }
    try {
      Files.createDirectories(cacheDir);
      return ClipPresets.writeRandom(preset, seed, file); // written atomically (SafetensorsWriter)
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write random weights under " + cacheDir, e);
    }
  }
}

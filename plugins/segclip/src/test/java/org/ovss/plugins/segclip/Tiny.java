package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.ClipPresets;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.fixtures.Fixtures;
import org.ovss.testkit.ToyCaptions;

/** Tiny random CLIP / SegCLIP models and a synthetic image-caption source for the tests. */
final class Tiny {
  private Tiny() {}

  /** The new parts used on clip-core's "tiny" CLIP (2 image blocks of width 64, patch 8, 32 x 32). */
  static final SegclipWeights.Init INIT = new SegclipWeights.Init(1, 4, 1, 32, 1, 4);

  /** Writes a seeded random tiny CLIP (OpenAI names) and returns its path. */
  static Path clip(Path dir, long seed) {
    return ClipPresets.writeRandom("tiny", seed, dir.resolve("tiny-clip.safetensors"));
  }

  /** A SegCLIP built on a random tiny CLIP, its arrays in {@code m}. */
  static SegclipModel segclip(Path dir, long seed, NDManager m) {
    Path clip = clip(dir, seed);
    try (NDManager tmp = NDManager.newBaseManager()) {
      ClipModel model = ClipWeights.load(clip, tmp, ClipWeights.Heads.DEFAULT);
      return SegclipWeights.fromClip(model, INIT, seed + 1, m);
    }
  }

  /** Writes a random tiny SegCLIP checkpoint into {@code dir} and returns its path. */
  static Path segclipFile(Path dir, long seed) {
    Path file = dir.resolve("tiny-segclip.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      SegclipWeights.save(segclip(dir, seed, m), file, Map.of("test", "random"));
    }
    return file;
  }

  /** CLIP's BPE merge list as clip-core bundles it. */
  static Path bpe() {
    return Fixtures.bpeFile();
  }

  /** The test kit's toy image-caption source (coloured squares captioned by their colours). */
  static ImageTextSource source(int count, int height, int width) {
    return ToyCaptions.source(count, height, width);
  }
}

package org.ovss.plugins.segclip;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.ClipPresets;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.testkit.Fixtures;

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

  /**
   * Images of {@code height} x {@code width}: a coloured rectangle on a coloured background, the
   * caption naming both colours, so that the contrastive task is learnable and the superpixels are two.
   */
  static ImageTextSource source(int count, int height, int width) {
    String[] names = {"red", "green", "blue", "yellow", "white", "black"};
    float[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, 1, 1}, {0, 0, 0}};
    List<float[]> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int fg = i % names.length;
      int bg = (i / names.length + fg + 1) % names.length;
      float[] rgb = new float[3 * height * width];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          boolean inside = y >= height / 4 && y < 3 * height / 4 && x >= width / 4 + i % 3 && x < 3 * width / 4;
          float[] c = inside ? colours[fg] : colours[bg];
          for (int ch = 0; ch < 3; ch++) {
            rgb[ch * height * width + y * width + x] = c[ch];
          }
        }
      }
      images.add(rgb);
      captions.add("a " + names[fg] + " square on " + names[bg]);
    }
    return new ImageTextSource() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public float[] image(int index) {
        return images.get(index).clone();
      }

      @Override
      public int imageHeight(int index) {
        return height;
      }

      @Override
      public int imageWidth(int index) {
        return width;
      }

      @Override
      public List<String> captions(int index) {
        return List.of(captions.get(index));
      }
    };
  }
}

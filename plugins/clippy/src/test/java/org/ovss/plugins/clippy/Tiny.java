package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;

/** Tiny CLIPpy models and a synthetic image-caption source for the tests. */
final class Tiny {
  private Tiny() {}

  /** Training settings of a tiny model: 32 px, patch 8 (16 patches), width 32, 2 + 1 blocks, embedding 16. */
  static Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("arch.image-size", "32");
    s.put("arch.patch", "8");
    s.put("arch.width", "32");
    s.put("arch.layers", "2");
    s.put("arch.heads", "2");
    s.put("arch.embed", "16");
    s.put("arch.text-width", "32");
    s.put("arch.text-layers", "1");
    s.put("arch.text-heads", "2");
    s.put("arch.context", "16");
    s.put("batch-size", "8");
    return s;
  }

  static Map<String, String> settings(String... extra) {
    Map<String, String> s = settings();
    for (int i = 0; i < extra.length; i += 2) {
      s.put(extra[i], extra[i + 1]);
    }
    return s;
  }

  /** A random tiny CLIPpy over {@code tokenizer}'s vocabulary, its arrays in {@code m}. */
  static ClippyModel model(ClipTokenizer tokenizer, ClippyConfig config, long seed, NDManager m) {
    ClipConfig c = new ClipConfig(16, 32, 2, 32, 2, 8, 16, tokenizer.vocabSize(), 32, 2, 2);
    ClipModel clip = new ClipModel(c);
    clip.initializeRandom(m, seed);
    return new ClippyModel(clip, config);
  }

  /** A tokenizer over the words of {@link #source}'s captions. */
  static ClipTokenizer tokenizer() {
    ImageTextSource s = source(36, 32, 32);
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      captions.addAll(s.captions(i));
    }
    return ClipTokenizer.ofWords(captions);
  }

  /** Exports the initialisation of a tiny CLIPpy trained from scratch (0 steps) into {@code dir}; returns the weights. */
  static Path checkpoint(Path dir, long seed) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyTraining t = ClippyTraining.fromScratch(source(36, 32, 32), ClippyTrainSettings.of(settings()), seed, m);
      return t.export(dir);
    }
  }

  /**
   * Images of {@code height} x {@code width}: a coloured rectangle on a coloured background, the caption
   * naming both colours, so that the contrastive task is learnable.
   */
  static ImageTextSource source(int count, int height, int width) {
    String[] names = {"red", "green", "blue", "yellow", "white", "black"};
    float[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, 1, 1}, {0, 0, 0}};
    List<float[]> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int fg = i % names.length;
      int bg = (i / names.length + fg + 1) % names.length;
      if (bg == fg) {
        bg = (bg + 1) % names.length;
      }
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

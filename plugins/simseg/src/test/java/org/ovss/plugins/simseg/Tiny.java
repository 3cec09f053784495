package org.ovss.plugins.simseg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.ImageTextSource;
import org.ovss.api.MethodConfig;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.testkit.AdamTestEngine;

/** A tiny SimSeg architecture, a synthetic image-caption source and checkpoints written by the plugin's own export. */
final class Tiny {
  private Tiny() {}

  /** Training settings of a model small enough for unit tests (32 px, patch 8, one block per tower). */
  static final Map<String, String> SETTINGS = Map.ofEntries(
      Map.entry("batch-size", "6"), Map.entry("arch.image-size", "32"), Map.entry("arch.patch", "8"),
      Map.entry("arch.width", "32"), Map.entry("arch.layers", "1"), Map.entry("arch.heads", "2"),
      Map.entry("arch.embed", "16"), Map.entry("arch.text-width", "32"), Map.entry("arch.text-layers", "1"),
      Map.entry("arch.text-heads", "2"), Map.entry("arch.context", "16"));

  /**
   * Images of {@code size} x {@code size}: a coloured square on a coloured background, the caption naming both
   * colours, so that the contrastive task is learnable.
   */
  static ImageTextSource source(int count, int size) {
    String[] names = {"red", "green", "blue", "yellow", "white", "black"};
    float[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, 1, 1}, {0, 0, 0}};
    List<float[]> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int fg = i % names.length;
      int bg = (i / names.length + fg + 1) % names.length;
      float[] rgb = new float[3 * size * size];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          boolean inside = y >= size / 4 && y < 3 * size / 4 && x >= size / 4 + i % 3 && x < 3 * size / 4;
          float[] c = inside ? colours[fg] : colours[bg];
          for (int ch = 0; ch < 3; ch++) {
            rgb[ch * size * size + y * size + x] = c[ch];
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
        return size;
      }

      @Override
      public int imageWidth(int index) {
        return size;
      }

      @Override
      public List<String> captions(int index) {
        return List.of(captions.get(index));
      }
    };
  }

  /** A random tiny SimSeg exported by the plugin's own training at 0 steps into {@code dir}; returns the weights file. */
  static Path checkpoint(Path dir, long seed) {
    try (SegmentationMethod m = new SimsegProvider().open(new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), seed))) {
      TrainResult r = m.train(new TrainSpec(dir, 0, seed, SETTINGS), source(12, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
      return r.checkpoint();
    }
  }
}

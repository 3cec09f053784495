package org.ovss.testkit;

import java.util.ArrayList;
import java.util.List;
import org.ovss.api.ImageTextSource;

/** The toy image-caption source of the training tests: tiny, deterministic, and learnable in a few steps. */
public final class ToyCaptions {
  private ToyCaptions() {}

  /**
   * {@code count} images of {@code height} x {@code width}: a coloured rectangle on a coloured background, the
   * caption naming both colours ("a red square on blue"), so that the contrastive task is learnable; the rectangle
   * moves by a pixel with the index. Planar RGB in [0, 1], as {@link ImageTextSource#image} returns.
   */
  public static ImageTextSource source(int count, int height, int width) {
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

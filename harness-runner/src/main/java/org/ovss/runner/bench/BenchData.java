package org.ovss.runner.bench;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.Layout;

/**
 * Generated images for {@code ovss bench}: JPEGs of coloured rectangles on a noisy background and label maps
 * over N classes, so that decoding, resizing and every metric update do real work without a dataset.
 */
public final class BenchData {
  static final Layout LAYOUT = new Layout("images", ".jpg", "labels", ".png", null, false);

  private BenchData() {}

  /** A spec of {@code classes} classes (one query each, no background) in {@link #LAYOUT}. */
  public static DatasetSpec spec(int classes) {
    if (classes < 1 || classes > 255) {
      throw new InvalidInputException("--classes must be in 1..255, got " + classes);
    }
    List<ClassPrompt> names = new ArrayList<>();
    int[][] palette = new int[classes][];
    for (int c = 0; c < classes; c++) {
      names.add(ClassPrompt.of("object " + c));
      palette[c] = colour(c);
    }
    return new DatasetSpec("bench-" + classes, "generated (" + classes + " classes)", names, names, palette, LAYOUT,
        255, false, false, 0, "ovss bench", "generated-" + classes);
  }

  /** Writes {@code images} image / label pairs of {@code h} x {@code w} under {@code root}. */
  public static void write(Path root, int images, int h, int w, int classes, long seed) {
    try {
      Files.createDirectories(root.resolve(LAYOUT.imageDir()));
      Files.createDirectories(root.resolve(LAYOUT.labelDir()));
      byte[] r = new byte[256];
      byte[] g = new byte[256];
      byte[] b = new byte[256];
      for (int c = 0; c < classes; c++) {
        int[] rgb = colour(c);
        r[c] = (byte) rgb[0];
        g[c] = (byte) rgb[1];
        b[c] = (byte) rgb[2];
      }
      IndexColorModel palette = new IndexColorModel(8, 256, r, g, b);
      Random random = new Random(seed);
      for (int i = 0; i < images; i++) {
        int[] label = new int[h * w];
        java.util.Arrays.fill(label, random.nextInt(classes));
        for (int k = 0; k < 6; k++) {
          int c = random.nextInt(classes);
          int y0 = random.nextInt(h);
          int x0 = random.nextInt(w);
          int y1 = Math.min(h, y0 + 1 + random.nextInt(Math.max(1, h / 2)));
          int x1 = Math.min(w, x0 + 1 + random.nextInt(Math.max(1, w / 2)));
          for (int y = y0; y < y1; y++) {
            java.util.Arrays.fill(label, y * w + x0, y * w + x1, c);
          }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        BufferedImage map = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster raster = map.getRaster();
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int c = label[y * w + x];
            int[] rgb = colour(c);
            int n = random.nextInt(32) - 16;
            img.setRGB(x, y, (clamp(rgb[0] + n) << 16) | (clamp(rgb[1] + n) << 8) | clamp(rgb[2] + n));
            raster.setSample(x, y, 0, c);
          }
        }
        String id = String.format("%05d", i);
        ImageIO.write(img, "jpg", root.resolve(LAYOUT.imageDir()).resolve(id + LAYOUT.imageSuffix()).toFile());
        ImageIO.write(map, "png", root.resolve(LAYOUT.labelDir()).resolve(id + LAYOUT.labelSuffix()).toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int[] colour(int c) {
    return new int[] {(c * 67 + 40) % 256, (c * 131 + 90) % 256, (c * 29 + 160) % 256};
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}

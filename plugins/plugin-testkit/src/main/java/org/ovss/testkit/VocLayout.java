package org.ovss.testkit;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** A small generated dataset in the PASCAL VOC layout, for evaluations in tests ({@code voc21} / {@code voc20}). */
public final class VocLayout {
  private VocLayout() {}

  /**
   * Writes a VOCdevkit/VOC2012 layout under {@code root}: JPEGImages (a bright rectangle on a dark ground),
   * SegmentationClass (palette PNG: the rectangle one random class of 1..20, the ground 0, the first column 255 =
   * ignored) and ImageSets/Segmentation/val.txt listing {@code ids}; every image {@code h} x {@code w}, seeded.
   */
  public static Path write(Path root, List<String> ids, int h, int w) throws IOException {
    Files.createDirectories(root.resolve("JPEGImages"));
    Files.createDirectories(root.resolve("SegmentationClass"));
    Files.createDirectories(root.resolve("ImageSets/Segmentation"));
    Random random = new Random(1);
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 21; i++) {
      r[i] = (byte) (i * 12);
      g[i] = (byte) (255 - i * 12);
      b[i] = (byte) (i * 5);
    }
    IndexColorModel palette = new IndexColorModel(8, 256, r, g, b);
    for (String id : ids) {
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      BufferedImage label = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette);
      WritableRaster raster = label.getRaster();
      int cls = 1 + random.nextInt(20);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          boolean object = x > w / 4 && x < 3 * w / 4 && y > h / 4 && y < 3 * h / 4;
          int v = object ? 200 : 40;
          img.setRGB(x, y, (v << 16) | ((v / 2 + random.nextInt(20)) << 8) | (255 - v));
          raster.setSample(x, y, 0, object ? cls : (x == 0 ? 255 : 0));
        }
      }
      ImageIO.write(img, "jpg", root.resolve("JPEGImages/" + id + ".jpg").toFile());
      ImageIO.write(label, "png", root.resolve("SegmentationClass/" + id + ".png").toFile());
    }
    Files.writeString(root.resolve("ImageSets/Segmentation/val.txt"), String.join("\n", ids) + "\n");
    return root;
  }
}

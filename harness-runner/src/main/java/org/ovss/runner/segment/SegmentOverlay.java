package org.ovss.runner.segment;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.ovss.runner.image.RgbImage;

/**
 * The overlay of one segmented image: the image blended half and half with its labels' colours, and below it a
 * legend of the classes present (colour, name, pixel share, mean confidence), largest share first.
 */
final class SegmentOverlay {
  /** Weight of the class colour in the blend. */
  static final float ALPHA = 0.5f;

  private SegmentOverlay() {}

  /** One legend line. */
  record Row(String name, int[] rgb, double share, double meanConfidence) {}

  /** The blended image, {@code rgb.height()} rows, with the legend drawn under it. */
  static BufferedImage draw(RgbImage rgb, int[] labels, int[][] palette, List<Row> legend) {
    int h = rgb.height();
    int w = rgb.width();
    int fontSize = Math.max(12, Math.min(32, w / 40));
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
    int line = fontSize + fontSize / 2;
    int pad = fontSize / 2;
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics fm = pg.getFontMetrics(font);
    int textWidth = 0;
    for (Row r : legend) {
      textWidth = Math.max(textWidth, fm.stringWidth(text(r)));
    }
    pg.dispose();
    int width = Math.max(w, pad * 3 + fontSize + textWidth);
    BufferedImage out = new BufferedImage(width, h + pad * 2 + line * legend.size(), BufferedImage.TYPE_INT_RGB);
    int plane = h * w;
    float[] px = rgb.pixels();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int[] c = palette[labels[i]];
        int r = blend(px[i], c[0]);
        int g = blend(px[plane + i], c[1]);
        int b = blend(px[2 * plane + i], c[2]);
        out.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, h, width, out.getHeight() - h);
    if (w < width) {
      g.fillRect(w, 0, width - w, h);
    }
    g.setFont(font);
    int y = h + pad;
    for (Row r : legend) {
      g.setColor(new Color(r.rgb()[0], r.rgb()[1], r.rgb()[2]));
      g.fillRect(pad, y + (line - fontSize) / 2, fontSize, fontSize);
      g.setColor(Color.DARK_GRAY);
      g.drawRect(pad, y + (line - fontSize) / 2, fontSize, fontSize);
      g.setColor(Color.BLACK);
      g.drawString(text(r), pad * 2 + fontSize, y + (line + fm.getAscent() - fm.getDescent()) / 2);
      y += line;
    }
    g.dispose();
    return out;
  }

  static String text(Row r) {
    return String.format(Locale.ROOT, "%s  %.1f%%  (confidence %.2f)", r.name(), 100 * r.share(), r.meanConfidence());
  }

  private static int blend(float image, int colour) {
    return Math.round((1 - ALPHA) * image + ALPHA * colour);
  }
}

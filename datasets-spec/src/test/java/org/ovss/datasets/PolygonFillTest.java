package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PolygonFill} against Pillow's own output: {@code pillow-polygons.txt} holds 200 random integer polygons and
 * the masks {@code ImageDraw.polygon(points, fill=1)} drew for them with Pillow 9.4.0 (its header says how).
 * During development the same comparison passed on 20,000 further random polygons.
 */
class PolygonFillTest {

  @Test
  void everyPixelEqualsPillowsFill() throws Exception {
    List<String> lines;
    try (InputStream in = PolygonFillTest.class.getResourceAsStream("pillow-polygons.txt")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
    }
    assertThat(lines).hasSize(200);
    int nonEmpty = 0;
    for (String line : lines) {
      String[] f = line.split(" ");
      int h = Integer.parseInt(f[0]);
      int w = Integer.parseInt(f[1]);
      String[] points = f[2].split(";");
      int[] xs = new int[points.length];
      int[] ys = new int[points.length];
      for (int i = 0; i < points.length; i++) {
        xs[i] = Integer.parseInt(points[i].split(",")[0]);
        ys[i] = Integer.parseInt(points[i].split(",")[1]);
      }
      int[] labels = new int[h * w];
      PolygonFill.fill(labels, h, w, xs, ys, 1);
      StringBuilder got = new StringBuilder();
      for (int v : labels) {
        got.append(v);
      }
      assertThat(got.toString()).as(line).isEqualTo(f[3]);
      nonEmpty += f[3].contains("1") ? 1 : 0;
    }
    assertThat(nonEmpty).as("most cases draw something").isGreaterThan(150);
  }
}

package org.ovss.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fills polygons into a label map the way Pillow's {@code ImageDraw.polygon(xy, fill=v)} does on an 8-bit image
 * (cityscapesScripts draws its label images with it): the scan-line fill of {@code libImaging/Draw.c} as shipped in
 * Pillow 9.4.0 (Debian 12's {@code python3-pil}), against whose output it was checked pixel for pixel on 20,200
 * random integer polygons ({@code PolygonFillTest} keeps 200 of them).
 *
 * <p>What is matched: vertex coordinates are truncated to {@code int}; consecutive horizontal edges running the same
 * way merge; the polygon is closed from the last vertex to the first unless they are equal; horizontal edges are
 * drawn as whole spans, ends included; every other edge is sampled at each integer row from its lower to its upper
 * end, both included, at {@code x = (y - y0) * dx + x0} in single precision; a row that is an edge's upper end
 * (except the polygon's last row) counts that edge twice; Pillow's "connect discontiguous corners" step (which writes
 * at the other edge's index into the crossing list, as the C code does) is reproduced; the sorted crossings pair up
 * into spans from the crossing rounded half up to the crossing rounded half down, a span whose ends cross drawn with
 * its ends swapped as {@code hline} does; everything is clipped to the image. The result: every pixel whose centre
 * lies inside or on the outline, with Pillow's own corner cases.
 */
final class PolygonFill {
  private PolygonFill() {}

  private record Edge(int xmin, int ymin, int xmax, int ymax, float dx, int x0, int y0) {
    /** The edge's x on row y, in single precision as in C. */
    float x(int y) {
      return (y - y0) * dx + x0;
    }

    static Edge of(int x0, int y0, int x1, int y1) {
      float dx = y0 == y1 ? 0f : ((float) (x1 - x0)) / (y1 - y0);
      return new Edge(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1), dx, x0, y0);
    }
  }

  /**
   * Fills the polygon with {@code value}.
   *
   * @param labels row-major {@code [height * width]} map drawn into
   * @param xs the vertices' x (column) coordinates
   * @param ys the vertices' y (row) coordinates
   */
  static void fill(int[] labels, int height, int width, int[] xs, int[] ys, int value) {
    int count = xs.length;
    if (count == 0) {
      return;
    }
    List<Edge> edges = new ArrayList<>(count);
    int i = 0;
    for (; i < count - 1; i++) {
      int x0 = xs[i];
      int y0 = ys[i];
      int x1 = xs[i + 1];
      int y1 = ys[i + 1];
      if (y0 == y1 && i != 0 && y0 == ys[i - 1]) {
        // A horizontal edge right after another one extends it when both run the same way.
        Edge last = edges.get(edges.size() - 1);
        if (x1 > x0 && x0 > xs[i - 1]) {
          edges.set(edges.size() - 1, new Edge(last.xmin(), last.ymin(), x1, last.ymax(), last.dx(), last.x0(), last.y0()));
          continue;
        } else if (x1 < x0 && x0 < xs[i - 1]) {
          edges.set(edges.size() - 1, new Edge(x1, last.ymin(), last.xmax(), last.ymax(), last.dx(), last.x0(), last.y0()));
          continue;
        }
      }
      edges.add(Edge.of(x0, y0, x1, y1));
    }
    if (xs[i] != xs[0] || ys[i] != ys[0]) {
      edges.add(Edge.of(xs[i], ys[i], xs[0], ys[0]));
    }
    int ymin = height - 1;
    int ymax = 0;
    List<Edge> table = new ArrayList<>(edges.size());
    for (Edge e : edges) {
      ymin = Math.min(ymin, e.ymin());
      ymax = Math.max(ymax, e.ymax());
      if (e.ymin() == e.ymax()) {
        hline(labels, height, width, e.xmin(), e.ymin(), e.xmax(), value);
        continue;
      }
      table.add(e);
    }
    ymin = Math.max(ymin, 0);
    ymax = Math.min(ymax, height);
    float[] xx = new float[table.size() * 2];
    for (int y = ymin; y <= ymax; y++) {
      int j = 0;
      for (int t = 0; t < table.size(); t++) {
        Edge current = table.get(t);
        if (y < current.ymin() || y > current.ymax()) {
          continue;
        }
        xx[j++] = current.x(y);
        if (y == current.ymax() && y < ymax) {
          xx[j] = xx[j - 1];
          j++;
        } else if (current.dx() != 0 && Math.round(xx[j - 1]) == xx[j - 1]) {
          // Pillow's "connect discontiguous corners": where two edges of one direction meet at a vertex on an integer
          // x, the crossing at the other edge's table index (sic) moves to the next row's outer crossing.
          for (int k = 0; k < t; k++) {
            Edge other = table.get(k);
            if ((current.dx() > 0 && other.dx() <= 0) || (current.dx() < 0 && other.dx() >= 0)) {
              continue;
            }
            if (((y == current.ymin() && y == other.ymin()) || (y == current.ymax() && y == other.ymax()))
                && xx[j - 1] == other.x(y)) {
              int offset = y == ymax ? -1 : 1;
              float a = current.x(y + offset);
              float b = other.x(y + offset);
              if (y == current.ymax()) {
                xx[k] = current.dx() > 0 ? (float) (Math.max((double) a, b) + 1) : (float) (Math.min((double) a, b) - 1);
              } else {
                xx[k] = current.dx() > 0 ? (float) Math.min((double) a, b) : (float) (Math.max((double) a, b) + 1);
              }
              break;
            }
          }
        }
      }
      Arrays.sort(xx, 0, j);
      for (int k = 1; k < j; k += 2) {
        hline(labels, height, width, roundUp(xx[k - 1]), y, roundDown(xx[k]), value);
      }
    }
  }

  /** Pillow's {@code ROUND_UP}: nearest integer, halves away from zero. */
  static int roundUp(float f) {
    return (int) (f >= 0 ? Math.floor(f + 0.5f) : -Math.floor(Math.abs(f) + 0.5f));
  }

  /** Pillow's {@code ROUND_DOWN}: nearest integer, halves towards zero. */
  static int roundDown(float f) {
    return (int) (f >= 0 ? Math.ceil(f - 0.5f) : -Math.ceil(Math.abs(f) - 0.5f));
  }

  /** Pillow's {@code hline8}: the span x0..x1 (ends swapped when reversed) on row y, clipped. */
  private static void hline(int[] labels, int height, int width, int x0, int y, int x1, int value) {
    if (y < 0 || y >= height) {
      return;
    }
    if (x0 > x1) {
      int t = x0;
      x0 = x1;
      x1 = t;
    }
    if (x0 < 0) {
      x0 = 0;
    } else if (x0 >= width) {
      return;
    }
    if (x1 < 0) {
      return;
    } else if (x1 >= width) {
      x1 = width - 1;
    }
    Arrays.fill(labels, y * width + x0, y * width + x1 + 1, value);
  }
}

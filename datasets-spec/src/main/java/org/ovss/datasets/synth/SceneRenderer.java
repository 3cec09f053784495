package org.ovss.datasets.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Draws scenes: a stuff texture, then one to four shapes placed one after another, each on top of the ones before.
 * Placement is by rejection so that the benchmark stays readable: no shape loses more than half of its pixels to
 * later ones, shapes of one colour never overlap (they would merge into one blob), and no shape takes the
 * background's colour. Each shape wears its class's surface pattern ({@link Surfaces}). Image edges are antialiased with four samples per pixel; a pixel belongs to a shape in the
 * label maps when at least two of them fall inside it, so labels follow what the image shows.
 *
 * <p>One instance per thread: it keeps per-image scratch buffers.
 */
final class SceneRenderer {
  /** sRGB of each entry of {@link SyntheticBenchmark#COLOURS}: saturated, so that the simple colour word fits. */
  static final int[][] COLOUR_RGB = {
      {215, 35, 35}, {40, 165, 50}, {35, 70, 215}, {240, 215, 35},
      {135, 50, 175}, {245, 135, 25}, {245, 245, 245}, {25, 25, 25}};

  /** Shape diameters as a fraction of the image side: 20 to 60 px at 96 px. */
  private static final double MIN_DIAMETER = 0.21;
  private static final double MAX_DIAMETER = 0.625;
  /** Chance of 1, 2, 3 and 4 shapes: single shapes are most common, as a caption then names the whole image. */
  private static final double[] SHAPE_COUNT_CHANCE = {0.35, 0.3, 0.2, 0.15};
  private static final int PLACEMENT_TRIES = 40;
  /** A placed shape must keep this fraction of its pixels when later shapes overlap it. */
  private static final double MIN_VISIBLE = 0.5;
  /** Centres stay this many radii inside the border, so at most a sliver of a shape is cut off. */
  private static final double BORDER_RADII = 0.75;
  /** Euclidean RGB distance a shape's colour keeps from the background's mean (green on grass, blue on water). */
  private static final double MIN_BACKGROUND_DISTANCE = 90;
  /** Per-shape colour jitter and per-pixel noise, in 8-bit steps: colours vary but keep their names. */
  private static final int COLOUR_JITTER = 12;
  private static final int PIXEL_NOISE = 3;
  /** Brightness falls by this fraction from the top of a shape to its bottom, a hint of light from above. */
  private static final float SHADING = 0.08f;
  /** Rotated-grid sample offsets within a pixel: four samples that see horizontal and vertical edges alike. */
  private static final double[] SAMPLE_X = {-0.125, 0.375, 0.125, -0.375};
  private static final double[] SAMPLE_Y = {-0.375, -0.125, 0.375, 0.125};
  private static final int SAMPLES = SAMPLE_X.length;
  private static final int LABEL_SAMPLES = SAMPLES / 2;

  private final int size;
  private final float[] rgb;
  /** Samples inside the shape being placed, per pixel (0 outside its bounding box). */
  private final byte[] coverage;
  /** 0 for background, otherwise 1 + the index of the top shape at that pixel. */
  private final byte[] owner;

  SceneRenderer(int size) {
    this.size = size;
    this.rgb = new float[3 * size * size];
    this.coverage = new byte[size * size];
    this.owner = new byte[size * size];
  }

  /** Draws the scene that {@code rng} determines. */
  Scene render(SplittableRandom rng) {
    Arrays.fill(owner, (byte) 0);
    int stuff = rng.nextInt(Textures.COUNT);
    Textures.paint(stuff, size, rng, rgb);
    int[] colours = coloursAgainst(meanColour());
    int wanted = pick(rng, SHAPE_COUNT_CHANCE) + 1;
    List<Placed> placed = new ArrayList<>();
    for (int k = 0; k < wanted; k++) {
      int shape = rng.nextInt(Shapes.COUNT);
      int colour = colours[rng.nextInt(colours.length)];
      Placed next = place(rng, shape, colour, placed);
      if (next == null) {
        // No room left that keeps the earlier shapes readable: the image keeps fewer shapes.
        break;
      }
      placed.add(next);
    }
    int n = size * size;
    byte[] classLabels = new byte[n];
    byte[] stuffLabels = new byte[n];
    byte background = (byte) (1 + Shapes.COUNT + stuff);
    for (int p = 0; p < n; p++) {
      int top = owner[p];
      classLabels[p] = top == 0 ? 0 : (byte) (1 + placed.get(top - 1).shape);
      stuffLabels[p] = top == 0 ? background : classLabels[p];
    }
    byte[] pixels = new byte[3 * n];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) Math.min(255, Math.max(0, Math.round(rgb[i])));
    }
    List<Scene.SceneObject> objects = placed.stream()
        .map(o -> new Scene.SceneObject(o.shape, o.colour, o.visible))
        .toList();
    return new Scene(stuff, objects, pixels, classLabels, stuffLabels);
  }

  /** Tries random sizes, positions and rotations; null when none keeps the scene readable. */
  private Placed place(SplittableRandom rng, int shape, int colour, List<Placed> placed) {
    int[] lost = new int[placed.size()];
    for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
      // Later attempts draw smaller shapes, which fit into the gaps big ones cannot.
      double shrink = 1 - 0.5 * attempt / PLACEMENT_TRIES;
      double diameter = size * (MIN_DIAMETER + (MAX_DIAMETER - MIN_DIAMETER) * rng.nextDouble() * shrink);
      Placed candidate = new Placed(shape, colour, diameter / 2,
          uniform(rng, BORDER_RADII * diameter / 2, size - BORDER_RADII * diameter / 2),
          uniform(rng, BORDER_RADII * diameter / 2, size - BORDER_RADII * diameter / 2),
          uniform(rng, -Shapes.maxRotation(shape), Shapes.maxRotation(shape)));
      int area = rasterize(candidate);
      if (area > 0 && fits(candidate, placed, lost)) {
        candidate.area = area;
        candidate.visible = area;
        draw(rng, candidate, placed, lost);
        clearCoverage(candidate);
        return candidate;
      }
      clearCoverage(candidate);
    }
    return null;
  }

  /** Fills {@link #coverage} over the candidate's bounding box; returns its label-map pixel count. */
  private int rasterize(Placed o) {
    double reach = (o.radius + 1) * (o.radius + 1);
    int area = 0;
    for (int y = o.y0(); y < o.y1(size); y++) {
      for (int x = o.x0(); x < o.x1(size); x++) {
        double dx = x + 0.5 - o.cx;
        double dy = y + 0.5 - o.cy;
        if (dx * dx + dy * dy > reach) {
          continue;
        }
        int inside = 0;
        for (int s = 0; s < SAMPLES; s++) {
          if (o.contains(dx + SAMPLE_X[s], dy + SAMPLE_Y[s])) {
            inside++;
          }
        }
        coverage[y * size + x] = (byte) inside;
        if (inside >= LABEL_SAMPLES) {
          area++;
        }
      }
    }
    return area;
  }

  /** Whether the rasterized candidate leaves every earlier shape readable; fills {@code lost} per earlier shape. */
  private boolean fits(Placed o, List<Placed> placed, int[] lost) {
    Arrays.fill(lost, 0);
    for (int y = o.y0(); y < o.y1(size); y++) {
      for (int x = o.x0(); x < o.x1(size); x++) {
        int p = y * size + x;
        int top = owner[p];
        if (coverage[p] == 0 || top == 0) {
          continue;
        }
        if (placed.get(top - 1).colour == o.colour) {
          return false;
        }
        if (coverage[p] >= LABEL_SAMPLES) {
          lost[top - 1]++;
        }
      }
    }
    for (int j = 0; j < placed.size(); j++) {
      Placed earlier = placed.get(j);
      if (earlier.visible - lost[j] < MIN_VISIBLE * earlier.area) {
        return false;
      }
    }
    return true;
  }

  /** Blends the accepted shape over the image by its coverage and takes over the pixels it labels. */
  private void draw(SplittableRandom rng, Placed o, List<Placed> placed, int[] lost) {
    float[] base = new float[3];
    for (int c = 0; c < 3; c++) {
      base[c] = COLOUR_RGB[o.colour][c] + rng.nextInt(2 * COLOUR_JITTER + 1) - COLOUR_JITTER;
    }
    Surfaces.Pattern pattern = Surfaces.pattern(o.shape, rng, size / 96f, size, size);
    float[] second = Surfaces.shade(base, Surfaces.contrast(rng));
    byte self = (byte) (placed.size() + 1);
    for (int y = o.y0(); y < o.y1(size); y++) {
      for (int x = o.x0(); x < o.x1(size); x++) {
        int p = y * size + x;
        int inside = coverage[p];
        if (inside == 0) {
          continue;
        }
        float alpha = (float) inside / SAMPLES;
        // Shading by the height within the shape, in radii from its centre: -1 at the top, 1 at the bottom.
        float light = 1 - SHADING * (float) ((y + 0.5 - o.cy) / o.radius);
        float noise = rng.nextInt(2 * PIXEL_NOISE + 1) - PIXEL_NOISE;
        float t = pattern.at(x + 0.5f, y + 0.5f);
        for (int c = 0; c < 3; c++) {
          float value = (base[c] + (second[c] - base[c]) * t) * light + noise;
          rgb[3 * p + c] += (value - rgb[3 * p + c]) * alpha;
        }
        if (inside >= LABEL_SAMPLES) {
          owner[p] = self;
        }
      }
    }
    for (int j = 0; j < placed.size(); j++) {
      placed.get(j).visible -= lost[j];
    }
  }

  private void clearCoverage(Placed o) {
    for (int y = o.y0(); y < o.y1(size); y++) {
      Arrays.fill(coverage, y * size + o.x0(), y * size + o.x1(size), (byte) 0);
    }
  }

  private float[] meanColour() {
    float[] mean = new float[3];
    for (int i = 0; i < rgb.length; i++) {
      mean[i % 3] += rgb[i];
    }
    for (int c = 0; c < 3; c++) {
      mean[c] /= size * size;
    }
    return mean;
  }

  /** The colours far enough from the background mean to stand out. */
  private static int[] coloursAgainst(float[] mean) {
    return IntStream.range(0, COLOUR_RGB.length).filter(k -> {
      double d2 = 0;
      for (int c = 0; c < 3; c++) {
        double d = COLOUR_RGB[k][c] - mean[c];
        d2 += d * d;
      }
      return d2 >= MIN_BACKGROUND_DISTANCE * MIN_BACKGROUND_DISTANCE;
    }).toArray();
  }

  private static int pick(SplittableRandom rng, double[] chances) {
    double u = rng.nextDouble();
    for (int i = 0; i < chances.length - 1; i++) {
      u -= chances[i];
      if (u < 0) {
        return i;
      }
    }
    return chances.length - 1;
  }

  private static double uniform(SplittableRandom rng, double from, double to) {
    return from + (to - from) * rng.nextDouble();
  }

  /** A shape being placed or drawn: its pose, and the label pixels it had when placed and still has now. */
  private static final class Placed {
    final int shape;
    final int colour;
    final double radius;
    final double cx;
    final double cy;
    /** Rotation folded with the scale, so a pixel offset maps to unit-disc coordinates with four products. */
    final double cosOverR;
    final double sinOverR;
    int area;
    int visible;

    Placed(int shape, int colour, double radius, double cx, double cy, double angle) {
      this.shape = shape;
      this.colour = colour;
      this.radius = radius;
      this.cx = cx;
      this.cy = cy;
      // StrictMath: the same rotation, hence the same pixels, on every JVM.
      this.cosOverR = StrictMath.cos(angle) / radius;
      this.sinOverR = StrictMath.sin(angle) / radius;
    }

    /** Whether the point at pixel offset ({@code dx}, {@code dy}) from the centre is inside the shape. */
    boolean contains(double dx, double dy) {
      return Shapes.contains(shape, dx * cosOverR + dy * sinOverR, -dx * sinOverR + dy * cosOverR);
    }

    int x0() {
      return Math.max(0, (int) Math.floor(cx - radius - 1));
    }

    int x1(int size) {
      return Math.min(size, (int) Math.ceil(cx + radius + 1));
    }

    int y0() {
      return Math.max(0, (int) Math.floor(cy - radius - 1));
    }

    int y1(int size) {
      return Math.min(size, (int) Math.ceil(cy + radius + 1));
    }
  }
}

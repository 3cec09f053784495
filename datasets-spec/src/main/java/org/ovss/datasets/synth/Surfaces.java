package org.ovss.datasets.synth;

import java.util.SplittableRandom;

/**
 * The surface of each shape class (benchmark versions 2 and 3): a family of patterns of its own, the way real object
 * classes have a characteristic surface (fur, stripes, foliage) besides their outline, so that a small model can
 * learn them from local evidence. Every object draws its own member of its class's family: period, phase and
 * contrast are random, and so is the orientation within a few degrees of the family's own direction (version 3;
 * version 2 turned patterns any way, which the demo's small model barely learned). The pattern mixes the object's
 * own colour with a darker (or, for dark colours, lighter) shade of it, so no single pixel value tells the class and
 * the colour word still fits. Indices follow
 * {@link Shapes} (circle: dots, square: checks, triangle: stripes, star: speckle, cross: grid lines, ring: zigzag,
 * heart: blotches, crescent: wavy lines).
 */
final class Surfaces {
  /** Contrast of the pattern: how far its second shade lies from the object's colour, as a fraction. */
  private static final double MIN_CONTRAST = 0.3;
  static final double MAX_CONTRAST = 0.65;
  /** Channel value above which a colour is patterned with a darker shade of itself, else a lighter one. */
  private static final int BRIGHT_CHANNEL = 150;
  /** Pattern periods in pixels at 96 px (scaled with the image), per shape class: lower and upper bound. */
  private static final float[][] PERIOD = {
      {5, 9}, {6, 11}, {5, 9}, {1, 1}, {6, 10}, {6, 10}, {3.5f, 6}, {5, 9}};

  /**
   * The direction of each family's pattern (radians; 0: its rows run across the image), and how far one object's
   * pattern may turn from it (the whole range, centred on the direction). Axis-aligned directions stay what they are
   * under the horizontal flips of training. Version 3: with any direction, the demo's image tower trained on direct
   * shape labels (500 steps, lr 2e-3) read 33% of single-shape val images right; with these, 65%.
   */
  private static final double[] DIRECTION = {0, Math.PI / 2, 0, Math.PI / 2, 0, Math.PI / 2, 0, Math.PI / 2};
  private static final double TURN = 0.2;

  private Surfaces() {}

  /** One object's pattern: a value in [0, 1] per pixel, 0 the object's colour and 1 the second shade. */
  interface Pattern {
    float at(float x, float y);
  }

  /**
   * Draws the pattern of one object of {@code shape} from {@code rng}; {@code width} and {@code height} bound the
   * pixel coordinates it is asked about (its bounding box lies inside them).
   */
  static Pattern pattern(int shape, SplittableRandom rng, float scale, int width, int height) {
    float[] bounds = PERIOD[shape];
    float period = (bounds[0] + (bounds[1] - bounds[0]) * (float) rng.nextDouble()) * scale;
    double angle = DIRECTION[shape] + (rng.nextDouble() - 0.5) * TURN;
    // StrictMath: the same pattern on every JVM.
    float cos = (float) StrictMath.cos(angle) / period;
    float sin = (float) StrictMath.sin(angle) / period;
    float phaseU = (float) rng.nextDouble();
    float phaseV = (float) rng.nextDouble();
    return switch (shape) {
      case Shapes.CIRCLE -> (x, y) -> {
        float du = frac(u(x, y, cos, sin, phaseU)) - 0.5f;
        float dv = frac(v(x, y, cos, sin, phaseV)) - 0.5f;
        return 1 - Textures.smoothstep(0.2f, 0.3f, (float) Math.sqrt(du * du + dv * dv));
      };
      case Shapes.SQUARE -> (x, y) -> Textures.smoothstep(-0.3f, 0.3f,
          Textures.sine(u(x, y, cos, sin, phaseU)) * Textures.sine(v(x, y, cos, sin, phaseV)));
      case Shapes.TRIANGLE -> (x, y) -> Textures.smoothstep(-0.3f, 0.3f, Textures.sine(u(x, y, cos, sin, phaseU)));
      case Shapes.STAR -> {
        // Speckle: each pixel on or off by its own draw, at a density of its own per object.
        double density = 0.3 + 0.3 * rng.nextDouble();
        long seed = rng.nextLong();
        yield (x, y) -> SyntheticBenchmark.mix(seed + (long) y * 65_537L + (long) x) >>> 11
            < (long) (density * (1L << 53)) ? 1f : 0f;
      }
      case Shapes.CROSS -> (x, y) -> Math.max(line(u(x, y, cos, sin, phaseU)), line(v(x, y, cos, sin, phaseV)));
      case Shapes.RING -> (x, y) -> {
        float u = u(x, y, cos, sin, phaseU);
        float zig = Math.abs(2 * frac(0.5f * u) - 1);
        return Textures.smoothstep(-0.3f, 0.3f, Textures.sine(v(x, y, cos, sin, phaseV) + 0.9f * zig));
      };
      case Shapes.HEART -> {
        ValueNoise noise = new ValueNoise(rng, width, height, period, period);
        float threshold = (float) (0.4 + 0.2 * rng.nextDouble());
        yield (x, y) -> Textures.smoothstep(threshold - 0.06f, threshold + 0.06f, noise.at(x, y));
      }
      case Shapes.CRESCENT -> (x, y) -> {
        float u = u(x, y, cos, sin, phaseU);
        return line(v(x, y, cos, sin, phaseV) + 0.3f * Textures.sine(0.5f * u));
      };
      default -> throw new IllegalArgumentException("no shape " + shape);
    };
  }

  /** How far the object's pattern departs from its colour, drawn per object. */
  static float contrast(SplittableRandom rng) {
    return (float) (MIN_CONTRAST + (MAX_CONTRAST - MIN_CONTRAST) * rng.nextDouble());
  }

  /** The second shade of a pattern on {@code base}: darker for bright colours, lighter for dark ones. */
  static float[] shade(float[] base, float contrast) {
    float max = Math.max(base[0], Math.max(base[1], base[2]));
    float[] second = new float[3];
    for (int c = 0; c < 3; c++) {
      second[c] = max > BRIGHT_CHANNEL ? base[c] * (1 - contrast) : base[c] + (255 - base[c]) * contrast;
    }
    return second;
  }

  /** Coordinates along and across the pattern's direction, in periods. */
  private static float u(float x, float y, float cos, float sin, float phase) {
    return x * cos + y * sin + phase;
  }

  private static float v(float x, float y, float cos, float sin, float phase) {
    return -x * sin + y * cos + phase;
  }

  /** A thin line once per period: 1 on the line (about a quarter of the period wide), 0 between lines. */
  private static float line(float w) {
    return 1 - Textures.smoothstep(0.1f, 0.17f, Math.abs(frac(w) - 0.5f));
  }

  private static float frac(float w) {
    return w - (float) Math.floor(w);
  }
}

package org.ovss.datasets.synth;

/**
 * The shape classes as point tests in local coordinates: the shape is centred on the origin, unrotated, and lies
 * inside the unit disc, so one radius bounds every shape when it is placed. {@code v} points down, as image rows do.
 * Indices follow {@link SyntheticBenchmark#SHAPES}.
 */
final class Shapes {
  static final int CIRCLE = 0;
  static final int SQUARE = 1;
  static final int TRIANGLE = 2;
  static final int STAR = 3;
  static final int CROSS = 4;
  static final int RING = 5;
  static final int HEART = 6;
  static final int CRESCENT = 7;
  static final int COUNT = 8;

  /** A square's half side: its corners touch the unit circle. */
  private static final double SQUARE_HALF = Math.sqrt(0.5);
  /** Half the width of a cross's arms; the arm ends then stay inside the unit circle. */
  private static final double CROSS_HALF_WIDTH = 0.3;
  private static final double CROSS_ARM = 0.95;
  /** Inner radius of a ring: thick enough to stay a band (not a line) at the smallest sizes. */
  private static final double RING_INNER = 0.55;
  /** Inner radius of the star's five notches. */
  private static final double STAR_INNER = 0.42;
  /** The crescent is the unit disc minus this disc, which leaves a band about 0.6 radii thick. */
  private static final double CRESCENT_CUT_X = 0.42;
  private static final double CRESCENT_CUT_RADIUS = 0.8;
  /** The heart curve spans about [-1.13, 1.13] x [-1, 1.23]; this scale and shift fit it into the unit disc. */
  private static final double HEART_SCALE = 1.3;
  private static final double HEART_SHIFT = 0.2;

  private static final double[] TRIANGLE_X = new double[3];
  private static final double[] TRIANGLE_Y = new double[3];
  private static final double[] STAR_X = new double[10];
  private static final double[] STAR_Y = new double[10];

  static {
    // Vertices start at the top (angle -90 degrees, v down); StrictMath so every JVM builds the same polygons.
    for (int i = 0; i < 3; i++) {
      double a = -Math.PI / 2 + i * 2 * Math.PI / 3;
      TRIANGLE_X[i] = StrictMath.cos(a);
      TRIANGLE_Y[i] = StrictMath.sin(a);
    }
    for (int i = 0; i < 10; i++) {
      double a = -Math.PI / 2 + i * Math.PI / 5;
      double r = i % 2 == 0 ? 1 : STAR_INNER;
      STAR_X[i] = r * StrictMath.cos(a);
      STAR_Y[i] = r * StrictMath.sin(a);
    }
  }

  private Shapes() {}

  /** Whether the point ({@code u}, {@code v}) of the unit-radius, unrotated shape lies inside it. */
  static boolean contains(int shape, double u, double v) {
    double r2 = u * u + v * v;
    if (r2 > 1) {
      return false;
    }
    return switch (shape) {
      case CIRCLE -> true;
      case SQUARE -> Math.abs(u) <= SQUARE_HALF && Math.abs(v) <= SQUARE_HALF;
      case TRIANGLE -> inPolygon(TRIANGLE_X, TRIANGLE_Y, u, v);
      case STAR -> inPolygon(STAR_X, STAR_Y, u, v);
      case CROSS -> (Math.abs(u) <= CROSS_HALF_WIDTH && Math.abs(v) <= CROSS_ARM)
          || (Math.abs(v) <= CROSS_HALF_WIDTH && Math.abs(u) <= CROSS_ARM);
      case RING -> r2 >= RING_INNER * RING_INNER;
      case HEART -> heart(u * HEART_SCALE, -v * HEART_SCALE + HEART_SHIFT);
      case CRESCENT -> {
        double du = u - CRESCENT_CUT_X;
        yield du * du + v * v > CRESCENT_CUT_RADIUS * CRESCENT_CUT_RADIUS;
      }
      default -> throw new IllegalArgumentException("no shape " + shape);
    };
  }

  /** Whether a rotated copy looks like a different class: hearts turned upside down stop reading as hearts. */
  static double maxRotation(int shape) {
    return shape == HEART ? Math.toRadians(35) : Math.PI;
  }

  /** The classic heart curve {@code (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0}, y up. */
  private static boolean heart(double x, double y) {
    double a = x * x + y * y - 1;
    return a * a * a - x * x * y * y * y <= 0;
  }

  /** Even-odd crossing test; the star is not convex, so half-plane tests do not do. */
  private static boolean inPolygon(double[] xs, double[] ys, double u, double v) {
    boolean inside = false;
    for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      if ((ys[i] > v) != (ys[j] > v) && u < (xs[j] - xs[i]) * (v - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
        inside = !inside;
      }
    }
    return inside;
  }
}

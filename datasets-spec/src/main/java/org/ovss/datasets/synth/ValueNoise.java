package org.ovss.datasets.synth;

import java.util.SplittableRandom;

/**
 * Smooth value noise: random values on a lattice, blended with a smoothstep so that cell borders do not show. The
 * building block of every texture; all arithmetic is float, which Java evaluates identically on every platform.
 */
final class ValueNoise {
  private final float[] lattice;
  private final int columns;
  private final int rows;
  private final float cellWidth;
  private final float cellHeight;

  /**
   * Noise over the pixel rectangle {@code [0, width] x [0, height]} with cells about {@code cellWidth} by
   * {@code cellHeight} pixels; different cell sizes make streaks (grass blades) rather than blobs.
   */
  ValueNoise(SplittableRandom rng, float width, float height, float cellWidth, float cellHeight) {
    this.columns = Math.max(1, Math.round(width / cellWidth));
    this.rows = Math.max(1, Math.round(height / cellHeight));
    this.cellWidth = width / columns;
    this.cellHeight = height / rows;
    this.lattice = new float[(columns + 1) * (rows + 1)];
    for (int i = 0; i < lattice.length; i++) {
      lattice[i] = (float) rng.nextDouble();
    }
  }

  /** Noise at pixel coordinates ({@code x}, {@code y}), in [0, 1]; points outside the rectangle take its border. */
  float at(float x, float y) {
    float fx = Math.min(Math.max(x / cellWidth, 0f), columns);
    float fy = Math.min(Math.max(y / cellHeight, 0f), rows);
    int ix = Math.min((int) fx, columns - 1);
    int iy = Math.min((int) fy, rows - 1);
    float tx = smooth(fx - ix);
    float ty = smooth(fy - iy);
    int stride = columns + 1;
    int i = iy * stride + ix;
    float top = lattice[i] + (lattice[i + 1] - lattice[i]) * tx;
    float bottom = lattice[i + stride] + (lattice[i + stride + 1] - lattice[i + stride]) * tx;
    return top + (bottom - top) * ty;
  }

  private static float smooth(float t) {
    return t * t * (3 - 2 * t);
  }
}

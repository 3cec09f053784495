package org.ovss.datasets.synth;

import java.util.List;

/**
 * One rendered image with what it shows.
 *
 * @param stuff the background's index in {@link SyntheticBenchmark#STUFF}
 * @param objects the shapes, in drawing order (later ones on top)
 * @param rgb interleaved 8-bit RGB, row-major
 * @param classLabels per pixel 0 = background, 1 + shape index = that shape
 * @param stuffLabels per pixel 1 + shape index for shapes, 1 + shape count + stuff index for the background
 */
record Scene(int stuff, List<SceneObject> objects, byte[] rgb, byte[] classLabels, byte[] stuffLabels) {

  /**
   * One shape of a scene.
   *
   * @param shape index in {@link SyntheticBenchmark#SHAPES}
   * @param colour index in {@link SyntheticBenchmark#COLOURS}
   * @param pixels label-map pixels it holds after later shapes covered part of it (always > 0)
   */
  record SceneObject(int shape, int colour, int pixels) {}
}

package org.ovss.datasets.synth;

import java.util.SplittableRandom;

/**
 * The "stuff" backgrounds, painted as textures rather than flat colours so that a model has to tell grass from water
 * by more than a mean colour, and so that shapes stand out by form as well as by colour. Every image gets its own
 * texture: lattice values, phases, tints and scales all come from the image's random stream. Indices follow
 * {@link SyntheticBenchmark#STUFF}; pixels are interleaved RGB floats in [0, 255].
 */
final class Textures {
  static final int GRASS = 0;
  static final int SKY = 1;
  static final int WATER = 2;
  static final int SAND = 3;
  static final int WALL = 4;
  static final int COUNT = 5;

  /** Sine by table: ripples need one per pixel, and a table built with StrictMath is the same on every JVM. */
  private static final int SINE_STEPS = 1024;
  private static final float[] SINE = new float[SINE_STEPS];

  static {
    for (int i = 0; i < SINE_STEPS; i++) {
      SINE[i] = (float) StrictMath.sin(2 * Math.PI * i / SINE_STEPS);
    }
  }

  private Textures() {}

  /** Paints stuff class {@code stuff} over the whole {@code size x size} image. */
  static void paint(int stuff, int size, SplittableRandom rng, float[] rgb) {
    // Pixel sizes of texture features scale with the image so a 192 px benchmark looks like a sharper 96 px one.
    float scale = size / 96f;
    switch (stuff) {
      case GRASS -> grass(size, scale, rng, rgb);
      case SKY -> sky(size, scale, rng, rgb);
      case WATER -> water(size, scale, rng, rgb);
      case SAND -> sand(size, scale, rng, rgb);
      case WALL -> wall(size, scale, rng, rgb);
      default -> throw new IllegalArgumentException("no stuff class " + stuff);
    }
  }

  /** Vertical blades (noise with narrow, tall cells, slightly slanted) over darker and lighter patches. */
  private static void grass(int size, float scale, SplittableRandom rng, float[] rgb) {
    float slant = (float) (rng.nextDouble() * 0.6 - 0.3);
    float slantRange = Math.abs(slant) * size;
    ValueNoise blades = new ValueNoise(rng, size + slantRange, size, 1.6f * scale, 14f * scale);
    ValueNoise patches = new ValueNoise(rng, size, size, 28f * scale, 28f * scale);
    float[] dark = tint(rng, 28, 80, 22);
    float[] light = tint(rng, 120, 180, 55);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float shifted = x + slant * y + (slant < 0 ? slantRange : 0);
        float t = 0.55f * blades.at(shifted, y) + 0.3f * patches.at(x, y) + 0.15f * (float) rng.nextDouble();
        mix(rgb, y * size + x, dark, light, t);
      }
    }
  }

  /** A blue gradient, deeper towards the top, with a random amount of soft white cloud. */
  private static void sky(int size, float scale, SplittableRandom rng, float[] rgb) {
    float[] top = tint(rng, 50, 110, 205);
    float[] horizon = tint(rng, 160, 200, 240);
    float[] cloud = {242, 243, 248};
    ValueNoise coarse = new ValueNoise(rng, size, size, 34f * scale, 24f * scale);
    ValueNoise fine = new ValueNoise(rng, size, size, 12f * scale, 9f * scale);
    // Threshold on the cloud noise: near 0.45 the sky is half cloud, near 0.8 almost clear.
    float clear = (float) (0.45 + rng.nextDouble() * 0.35);
    float[] blue = new float[3];
    for (int y = 0; y < size; y++) {
      float depth = (float) y / size;
      for (int c = 0; c < 3; c++) {
        blue[c] = top[c] + (horizon[c] - top[c]) * depth;
      }
      for (int x = 0; x < size; x++) {
        float n = 0.7f * coarse.at(x, y) + 0.3f * fine.at(x, y);
        float cover = smoothstep(clear, clear + 0.2f, n);
        mix(rgb, y * size + x, blue, cloud, cover * (0.85f + 0.15f * n));
      }
    }
  }

  /** Horizontal ripples, warped by noise, with bright crests and darker troughs. */
  private static void water(int size, float scale, SplittableRandom rng, float[] rgb) {
    float[] deep = tint(rng, 18, 70, 125);
    float[] shallow = tint(rng, 45, 125, 175);
    float[] crest = {205, 232, 248};
    ValueNoise warp = new ValueNoise(rng, size, size, 24f * scale, 16f * scale);
    ValueNoise depth = new ValueNoise(rng, size, size, 40f * scale, 40f * scale);
    float wavelength = (float) (5 + rng.nextDouble() * 4) * scale;
    float phase = (float) rng.nextDouble();
    float shine = (float) (0.45 + rng.nextDouble() * 0.35);
    float[] base = new float[3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = y * size + x;
        float cycles = y / wavelength + 0.6f * warp.at(x, y) + phase;
        float s = SINE[Math.floorMod((int) (cycles * SINE_STEPS), SINE_STEPS)];
        float d = 0.6f * depth.at(x, y) + 0.4f * (float) y / size;
        for (int c = 0; c < 3; c++) {
          base[c] = (deep[c] + (shallow[c] - deep[c]) * d) * (s < 0 ? 1 + 0.12f * s : 1);
        }
        // s^8: only the very tops of the waves catch the light.
        float s2 = s * s;
        float s4 = s2 * s2;
        float highlight = s > 0 ? s4 * s4 * shine : 0;
        mix(rgb, p, base, crest, highlight);
      }
    }
  }

  /** Fine grain and speckles over gentle dune bands in a random direction. */
  private static void sand(int size, float scale, SplittableRandom rng, float[] rgb) {
    float[] base = tint(rng, 212, 186, 136);
    int direction = rng.nextInt(SINE_STEPS);
    float dx = SINE[(direction + SINE_STEPS / 4) % SINE_STEPS];
    float dy = SINE[direction];
    float period = (float) (18 + rng.nextDouble() * 22) * scale;
    ValueNoise wobble = new ValueNoise(rng, size, size, 30f * scale, 30f * scale);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float cycles = (x * dx + y * dy) / period + 0.8f * wobble.at(x, y);
        float dune = SINE[Math.floorMod((int) (cycles * SINE_STEPS), SINE_STEPS)];
        float grain = (float) (rng.nextDouble() - 0.5) * 26;
        float speck = rng.nextDouble() < 0.02 ? -35 : 0;
        float shade = 1 + 0.06f * dune;
        int p = 3 * (y * size + x);
        for (int c = 0; c < 3; c++) {
          rgb[p + c] = base[c] * shade + grain + speck;
        }
      }
    }
  }

  /** Grey stone blocks in a running bond, each block its own shade, with darker mortar lines. */
  private static void wall(int size, float scale, SplittableRandom rng, float[] rgb) {
    float height = (float) (0.1 + rng.nextDouble() * 0.07) * size;
    float width = height * (float) (1.5 + rng.nextDouble() * 0.9);
    float mortar = Math.max(1f, 1.4f * scale);
    float offsetX = (float) rng.nextDouble() * width;
    float offsetY = (float) rng.nextDouble() * height;
    // A warm or cool cast so that walls are not all the same grey.
    float cast = (float) (rng.nextDouble() * 0.1 - 0.05);
    long blockSeed = rng.nextLong();
    ValueNoise stain = new ValueNoise(rng, size, size, 20f * scale, 20f * scale);
    for (int y = 0; y < size; y++) {
      float by = (y + offsetY) / height;
      int row = (int) by;
      float inRowY = (by - row) * height;
      for (int x = 0; x < size; x++) {
        float bx = (x + offsetX + (row % 2 == 1 ? width / 2 : 0)) / width;
        int column = (int) bx;
        float inRowX = (bx - column) * width;
        float grey;
        if (inRowY < mortar || inRowX < mortar) {
          grey = 82;
        } else {
          grey = 125 + 55 * unit(SyntheticBenchmark.mix(blockSeed + row * 7919L + column));
        }
        grey = grey * (0.9f + 0.2f * stain.at(x, y)) + (float) (rng.nextDouble() - 0.5) * 16;
        int p = 3 * (y * size + x);
        rgb[p] = grey * (1 + cast);
        rgb[p + 1] = grey;
        rgb[p + 2] = grey * (1 - cast);
      }
    }
  }

  /** The colour ({@code r}, {@code g}, {@code b}) with each channel scaled by up to 8% either way. */
  private static float[] tint(SplittableRandom rng, float r, float g, float b) {
    return new float[] {
        r * (float) (0.92 + rng.nextDouble() * 0.16),
        g * (float) (0.92 + rng.nextDouble() * 0.16),
        b * (float) (0.92 + rng.nextDouble() * 0.16)};
  }

  private static void mix(float[] rgb, int pixel, float[] from, float[] to, float t) {
    int p = 3 * pixel;
    for (int c = 0; c < 3; c++) {
      rgb[p + c] = from[c] + (to[c] - from[c]) * t;
    }
  }

  static float smoothstep(float edge0, float edge1, float x) {
    float t = Math.min(Math.max((x - edge0) / (edge1 - edge0), 0f), 1f);
    return t * t * (3 - 2 * t);
  }

  /** sin(2 pi cycles) by the table. */
  static float sine(float cycles) {
    return SINE[Math.floorMod((int) Math.floor(cycles * SINE_STEPS), SINE_STEPS)];
  }

  /** A hash's top 24 bits as a float in [0, 1). */
  private static float unit(long hash) {
    return (hash >>> 40) / (float) (1 << 24);
  }
}

package org.ovss.postprocess;

import java.util.Arrays;

/**
 * The permutohedral lattice of Adams, Baek and Davis (2010) as densecrf's permutohedral.cpp builds and applies it:
 * each point is splatted onto the d+1 vertices of its enclosing simplex with barycentric weights, the lattice is
 * blurred with [1 2 1]/2 along each of the d+1 lattice directions, and values are sliced back with the same weights
 * times {@code 1/(1 + 2^-d)}. This approximates, up to a constant factor, filtering with the Gaussian
 * {@code exp(-|f_i - f_j|^2 / 2)} on the features, the point itself included; the approximation has compact support
 * and is not exactly symmetric, since the per-direction blurs do not commute on a sparse lattice.
 *
 * <p>Values are point-major: {@code value_size} consecutive floats per point.
 */
final class PermutohedralLattice {
  private static final int GRAIN = 2048;

  private final int d;
  private final int points;
  private final int vertices;
  /** Vertex of each (point, simplex corner), [points * (d+1)]. */
  private final int[] vertex;
  /** Barycentric weight of each (point, simplex corner). */
  private final float[] barycentric;
  /**
   * The (point, corner) slots of each vertex and their points, grouped by vertex (CSR), so that splatting gathers
   * without write races.
   */
  private final int[] splatStart;
  private final int[] splatSlots;
  private final int[] splatPoints;
  /** Neighbour vertices along each lattice direction, [(d+1) * vertices], shifted by one so that 0 means absent. */
  private final int[] minus;
  private final int[] plus;

  private PermutohedralLattice(int d, int points, int vertices, int[] vertex, float[] barycentric, int[] minus,
      int[] plus) {
    this.d = d;
    this.points = points;
    this.vertices = vertices;
    this.vertex = vertex;
    this.barycentric = barycentric;
    this.minus = minus;
    this.plus = plus;
    int corners = d + 1;
    splatStart = new int[vertices + 1];
    for (int v : vertex) {
      splatStart[v + 1]++;
    }
    for (int v = 0; v < vertices; v++) {
      splatStart[v + 1] += splatStart[v];
    }
    splatSlots = new int[points * corners];
    splatPoints = new int[points * corners];
    int[] fill = Arrays.copyOf(splatStart, vertices);
    for (int s = 0; s < vertex.length; s++) {
      int at = fill[vertex[s]]++;
      splatSlots[at] = s;
      splatPoints[at] = s / corners;
    }
  }

  int points() {
    return points;
  }

  int vertices() {
    return vertices;
  }

  /** Barycentric weights per (point, corner); callers scale copies of them into splat and slice weights. */
  float[] barycentric() {
    return barycentric;
  }

  /**
   * Builds the lattice for {@code points} feature vectors of dimension {@code d}, point-major in {@code features}
   * (permutohedral.cpp Permutohedral::init, the scalar path).
   */
  static PermutohedralLattice build(float[] features, int d, int points) {
    if (d < 1 || features.length != points * d) {
      throw new IllegalArgumentException("features must hold " + points + " vectors of dimension " + d);
    }
    int corners = d + 1;
    float[] scale = new float[d];
    // Expected standard deviation of the filter, Adams et al. 2010 p. 6, and the diagonal of E, p. 5; float like
    // permutohedral.cpp, since far from the origin the rounding of these factors moves points measurably.
    float invStdDev = (float) (Math.sqrt(2.0 / 3.0) * corners);
    for (int i = 0; i < d; i++) {
      scale[i] = (float) (1.0 / Math.sqrt((double) (i + 2) * (i + 1)) * invStdDev);
    }
    int[] canonical = new int[corners * corners];
    for (int i = 0; i <= d; i++) {
      for (int j = 0; j <= d; j++) {
        canonical[i * corners + j] = j <= d - i ? i : i - corners;
      }
    }
    float[] elevated = new float[corners];
    int[] rem0 = new int[corners];
    int[] rank = new int[corners];
    float[] bary = new float[corners + 1];
    int[] key = new int[d];
    int[] vertex = new int[points * corners];
    float[] weights = new float[points * corners];
    KeyTable table = new KeyTable(d, points);
    float down = 1f / corners;
    for (int k = 0; k < points; k++) {
      int f = k * d;
      // Elevate onto the hyperplane x . 1 = 0 (y = E p).
      float sm = 0f;
      for (int j = d; j > 0; j--) {
        float cf = features[f + j - 1] * scale[j - 1];
        elevated[j] = sm - j * cf;
        sm += cf;
      }
      elevated[0] = sm;
      // Nearest remainder-0 point by rounding each coordinate to a multiple of d+1.
      int sum = 0;
      for (int i = 0; i <= d; i++) {
        float v = down * elevated[i];
        int lo = (int) Math.floor(v);
        int hi = (int) Math.ceil(v);
        int r = hi * corners - elevated[i] < elevated[i] - lo * corners ? hi : lo;
        rem0[i] = r * corners;
        sum += r;
      }
      // Rank of each coordinate's residual, which identifies the simplex.
      Arrays.fill(rank, 0);
      for (int i = 0; i < d; i++) {
        float di = elevated[i] - rem0[i];
        for (int j = i + 1; j <= d; j++) {
          if (di < elevated[j] - rem0[j]) {
            rank[i]++;
          } else {
            rank[j]++;
          }
        }
      }
      // Off the plane (sum != 0): wrap ranks back into [0, d].
      for (int i = 0; i <= d; i++) {
        rank[i] += sum;
        if (rank[i] < 0) {
          rank[i] += corners;
          rem0[i] += corners;
        } else if (rank[i] > d) {
          rank[i] -= corners;
          rem0[i] -= corners;
        }
      }
      // Barycentric coordinates, Adams et al. 2010 p. 10.
      Arrays.fill(bary, 0f);
      for (int i = 0; i <= d; i++) {
        float v = (elevated[i] - rem0[i]) * down;
        bary[d - rank[i]] += v;
        bary[d - rank[i] + 1] -= v;
      }
      bary[0] += 1f + bary[d + 1];
      for (int r = 0; r <= d; r++) {
        for (int i = 0; i < d; i++) {
          key[i] = rem0[i] + canonical[r * corners + rank[i]];
        }
        vertex[k * corners + r] = table.findOrInsert(key);
        weights[k * corners + r] = bary[r];
      }
    }
    int m = table.size();
    int[] minus = new int[corners * m];
    int[] plus = new int[corners * m];
    int[] n1 = new int[d];
    int[] n2 = new int[d];
    for (int j = 0; j <= d; j++) {
      for (int i = 0; i < m; i++) {
        int o = i * d;
        for (int c = 0; c < d; c++) {
          n1[c] = table.keys[o + c] - 1;
          n2[c] = table.keys[o + c] + 1;
        }
        if (j < d) {
          n1[j] = table.keys[o + j] + d;
          n2[j] = table.keys[o + j] - d;
        }
        minus[j * m + i] = table.find(n1) + 1;
        plus[j * m + i] = table.find(n2) + 1;
      }
    }
    return new PermutohedralLattice(d, points, m, vertex, weights, minus, plus);
  }

  /**
   * Working memory for {@link #filter}: two lattice value buffers of {@code (vertices + 1) * valueSize} floats.
   */
  float[][] buffers(int valueSize) {
    return new float[][] {new float[(vertices + 1) * valueSize], new float[(vertices + 1) * valueSize]};
  }

  /**
   * {@code out[i] += sum_j K(i, j) in[j]} with splat weights {@code splat} and slice weights {@code slice} per
   * (point, corner) slot: with both equal to {@link #barycentric()} times {@code 1/(1 + 2^-d)} on the slice side this
   * is permutohedral.cpp compute(); per-point scalings (kernel normalisation, compatibility) are folded in by the
   * caller.
   */
  void filter(float[] in, float[] out, int valueSize, float[] splat, float[] slice, float[][] buffers) {
    int corners = d + 1;
    float[] splatted = buffers[0];
    Parallel.forRange(vertices, GRAIN, (from, to) -> {
      for (int v = from; v < to; v++) {
        int o = (v + 1) * valueSize;
        Arrays.fill(splatted, o, o + valueSize, 0f);
        for (int s = splatStart[v]; s < splatStart[v + 1]; s++) {
          float w = splat[splatSlots[s]];
          int src = splatPoints[s] * valueSize;
          for (int c = 0; c < valueSize; c++) {
            splatted[o + c] += w * in[src + c];
          }
        }
      }
    });
    float[] values = splatted;
    float[] next = buffers[1];
    for (int j = 0; j <= d; j++) {
      float[] src = values;
      float[] dst = next;
      int dir = j * vertices;
      Parallel.forRange(vertices, GRAIN, (from, to) -> {
        for (int v = from; v < to; v++) {
          int o = (v + 1) * valueSize;
          int a = minus[dir + v] * valueSize;
          int b = plus[dir + v] * valueSize;
          for (int c = 0; c < valueSize; c++) {
            dst[o + c] = src[o + c] + 0.5f * (src[a + c] + src[b + c]);
          }
        }
      });
      next = values;
      values = dst;
    }
    float[] blurred = values;
    Parallel.forRange(points, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        int o = i * valueSize;
        for (int r = 0; r < corners; r++) {
          int slot = i * corners + r;
          float w = slice[slot];
          int src = (vertex[slot] + 1) * valueSize;
          for (int c = 0; c < valueSize; c++) {
            out[o + c] += w * blurred[src + c];
          }
        }
      }
    });
  }

  /** The slice-side constant of permutohedral.cpp ("alpha"). */
  float alpha() {
    return (float) (1.0 / (1.0 + Math.pow(2, -d)));
  }

  /** Open-addressing table from integer lattice keys (d coordinates) to vertex ids in insertion order. */
  private static final class KeyTable {
    private final int d;
    private int[] keys;
    private int[] slots;
    private int mask;
    private int size;

    KeyTable(int d, int expected) {
      this.d = d;
      int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
      slots = new int[capacity];
      Arrays.fill(slots, -1);
      mask = capacity - 1;
      keys = new int[expected * d];
    }

    int size() {
      return size;
    }

    int find(int[] key) {
      for (int h = hash(key, 0) & mask; ; h = (h + 1) & mask) {
        int e = slots[h];
        if (e < 0 || matches(e, key)) {
          return e;
        }
      }
    }

    int findOrInsert(int[] key) {
      int h = hash(key, 0) & mask;
      for (; ; h = (h + 1) & mask) {
        int e = slots[h];
        if (e < 0) {
          break;
        }
        if (matches(e, key)) {
          return e;
        }
      }
      if ((size + 1) * d > keys.length) {
        keys = Arrays.copyOf(keys, Math.max(keys.length * 2, d * 16));
      }
      System.arraycopy(key, 0, keys, size * d, d);
      slots[h] = size;
      if (++size * 2 > slots.length) {
        grow();
      }
      return size - 1;
    }

    private boolean matches(int e, int[] key) {
      int o = e * d;
      for (int i = 0; i < d; i++) {
        if (keys[o + i] != key[i]) {
          return false;
        }
      }
      return true;
    }

    private void grow() {
      slots = new int[slots.length * 2];
      Arrays.fill(slots, -1);
      mask = slots.length - 1;
      for (int e = 0; e < size; e++) {
        int h = hash(keys, e * d) & mask;
        while (slots[h] >= 0) {
          h = (h + 1) & mask;
        }
        slots[h] = e;
      }
    }

    /** permutohedral.cpp HashTable::hash, with the high bits folded in for the power-of-two table. */
    private int hash(int[] key, int offset) {
      int r = 0;
      for (int i = 0; i < d; i++) {
        r = (r + key[offset + i]) * 1664525;
      }
      return r ^ (r >>> 16);
    }
  }
}

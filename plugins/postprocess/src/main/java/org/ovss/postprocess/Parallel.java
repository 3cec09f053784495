package org.ovss.postprocess;

import java.util.stream.IntStream;

/** Splits index ranges over the common fork-join pool in blocks large enough to amortise the hand-off. */
final class Parallel {
  private Parallel() {}

  interface RangeBody {
    void run(int from, int to);
  }

  /** Runs {@code body} over disjoint sub-ranges of [0, n) of about {@code grain} indices each. */
  static void forRange(int n, int grain, RangeBody body) {
    int blocks = (n + grain - 1) / grain;
    if (blocks <= 1) {
      body.run(0, n);
      return;
    }
    IntStream.range(0, blocks).parallel().forEach(b -> body.run(b * grain, Math.min(n, (b + 1) * grain)));
  }
}

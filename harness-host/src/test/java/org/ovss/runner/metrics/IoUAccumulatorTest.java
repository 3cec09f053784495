package org.ovss.runner.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Hand-computed cases of mmseg's IoUMetric semantics. */
class IoUAccumulatorTest {

  @Test
  void ignorePixelsAndAbsentClassesFollowMmseg() {
    IoUAccumulator acc = new IoUAccumulator(4, 255);
    // label: 0 0 1 1 255 2 ; pred: 0 1 1 1 3 2
    acc.add(new int[] {0, 1, 1, 1, 3, 2}, new int[] {0, 0, 1, 1, 255, 2});
    SegmentationMetrics m = acc.result();
    // class 0: I=1, pred area 1, label area 2 -> U=2 -> 0.5; class 1: I=2, P=3, L=2 -> U=3 -> 2/3
    // class 2: 1/1; class 3: the only prediction of 3 sits on an ignored pixel -> U=0 -> excluded (NaN)
    assertThat(m.classIoU()[0]).isCloseTo(0.5, within(1e-12));
    assertThat(m.classIoU()[1]).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.classIoU()[2]).isCloseTo(1.0, within(1e-12));
    assertThat(m.classIoU()[3]).isNaN();
    assertThat(m.mIoU()).isCloseTo(100 * (0.5 + 2.0 / 3 + 1.0) / 3, within(1e-9));
    assertThat(m.aAcc()).isCloseTo(100 * 4.0 / 5, within(1e-9));
    assertThat(m.classAcc()[0]).isCloseTo(0.5, within(1e-12));
    assertThat(m.mAcc()).isCloseTo(100 * (0.5 + 1 + 1) / 3, within(1e-9));
  }

  @Test
  void histogramsAccumulateOverImagesBeforeDividing() {
    IoUAccumulator acc = new IoUAccumulator(2, 255);
    acc.add(new int[] {0, 0}, new int[] {0, 1}); // c0: I1 P2 L1; c1: I0 P0 L1
    acc.add(new int[] {1, 1, 1}, new int[] {1, 1, 0}); // c0: I0 P0 L1; c1: I2 P3 L2
    SegmentationMetrics m = acc.result();
    // dataset level: c0 I=1, U=2+2-1=3; c1 I=2, U=3+3-2=4 (a per-image mean would differ)
    assertThat(m.classIoU()).containsExactly(new double[] {1.0 / 3, 0.5}, within(1e-12));
    assertThat(m.images()).isEqualTo(2);
  }

  @Test
  void predictionsOutsideTheClassRangeCountNowhere() {
    IoUAccumulator acc = new IoUAccumulator(2, 255);
    acc.add(new int[] {7, 0}, new int[] {0, 0});
    // torch.histc drops the 7: class 0 has I=1, P=1, L=2 -> U=2
    assertThat(acc.result().classIoU()[0]).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void stateRoundTripsForResumption() {
    IoUAccumulator a = new IoUAccumulator(3, 255);
    a.add(new int[] {0, 1, 2, 2}, new int[] {0, 1, 1, 2});
    IoUAccumulator b = new IoUAccumulator(3, 255);
    b.restore(a.state(), a.images());
    assertThat(b.result().mIoU()).isEqualTo(a.result().mIoU());
  }
}

package org.ovss.runner.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CvResize} against {@code cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)} of OpenCV 4.6.0
 * (Debian python3-opencv): {@code cv-resize-golden.txt}, written by {@code make_cv_resize_golden.py}
 * beside it, holds seeded random images and their resized versions (up, down, both, exact halving).
 */
class CvResizeTest {

  private record Entry(String name, int h, int w, int[] values) {
    RgbImage image() {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = values[i];
      }
      return new RgbImage(f, h, w);
    }
  }

  private static List<Entry> golden() throws Exception {
    List<Entry> entries = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        CvResizeTest.class.getResourceAsStream("cv-resize-golden.txt"), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String[] t = line.split(" ");
        int[] v = new int[t.length - 3];
        for (int i = 0; i < v.length; i++) {
          v[i] = Integer.parseInt(t[i + 3]);
        }
        entries.add(new Entry(t[0], Integer.parseInt(t[1]), Integer.parseInt(t[2]), v));
      }
    }
    return entries;
  }

  @Test
  void everyGoldenResizeMatchesOpenCvBitForBit() throws Exception {
    RgbImage src = null;
    int checked = 0;
    for (Entry e : golden()) {
      if (e.name().startsWith("src")) {
        src = e.image();
        continue;
      }
      float[] out = CvResize.linear(src, e.h(), e.w()).pixels();
      int differ = 0;
      for (int i = 0; i < out.length; i++) {
        differ += (int) out[i] == e.values()[i] ? 0 : 1;
      }
      assertThat(differ).as(e.name() + " " + src.height() + "x" + src.width() + " -> " + e.h() + "x" + e.w()
          + ": values that differ from OpenCV").isZero();
      checked++;
    }
    assertThat(checked).isEqualTo(7);
  }

  @Test
  void rescaleSizeFollowsMmcv() {
    // VOC 500x375 at short side 336: factor 336/375 -> (int(375 * f + 0.5), int(500 * f + 0.5)) = (336, 448)
    assertThat(CvResize.rescaleSize(375, 500, 2048, 336)).containsExactly(336, 448);
    // a very long image is capped by the long side
    assertThat(CvResize.rescaleSize(100, 5000, 2048, 336)).containsExactly(41, 2048);
  }
}

package org.ovss.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageContext;
import org.ovss.api.InvalidInputException;

/** PAMR on cases small enough to work out by hand. */
class PamrTest {

  private static ImageContext image(int h, int w, float[] normalizedPlane) {
    float[] normalized = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(normalizedPlane, 0, normalized, c * h * w, h * w);
    }
    return new ImageContext(h, w, new float[3 * h * w], normalized);
  }

  @Test
  void alignedCornersResizeHitsTheExactMidpoints() {
    float[] mask = {0, 2, 4, 6};
    float[] out = new Pamr(0, new int[] {1}).refine(mask, 1, 2, 2, image(3, 3, new float[9]));
    assertThat(out).containsExactly(0, 1, 2, 2, 3, 4, 4, 5, 6);
  }

  @Test
  void constantImageAveragesTheEightClampedNeighbours() {
    float[] mask = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    float[] out = new Pamr(1, new int[] {1}).refine(mask, 1, 3, 3, image(3, 3, new float[9]));
    // centre: all 8 others, (36 - 4) / 8; corner (0,0): clamped neighbours 0,0,1,0,1,3,3,4.
    assertThat(out[4]).isCloseTo(4f, within(1e-6f));
    assertThat(out[0]).isCloseTo(1.5f, within(1e-6f));
    // (0,1): neighbours 0,1,2,0,2,3,4,5 -> 17/8
    assertThat(out[1]).isCloseTo(17f / 8, within(1e-6f));
  }

  @Test
  void dilationsBeyondTheImageClampToItsBorder() {
    float[] mask = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    float[] far = new Pamr(1, new int[] {8}).refine(mask, 1, 3, 3, image(3, 3, new float[9]));
    // (0,0): neighbours clamp to (0,0),(0,0),(0,2),(0,0),(0,2),(2,0),(2,0),(2,2) = 0,0,2,0,2,6,6,8
    assertThat(far[0]).isCloseTo(3f, within(1e-6f));
    // (0,1): 0,1,2,0,2,6,7,8
    assertThat(far[1]).isCloseTo(3.25f, within(1e-6f));
    assertThat(far[4]).isCloseTo(4f, within(1e-6f));
    // On a 3x3 map every dilation from 2 on reaches the border.
    assertThat(new Pamr(1, new int[] {2}).refine(mask, 1, 3, 3, image(3, 3, new float[9]))).containsExactly(far);
  }

  @Test
  void twoDilationsAverageSixteenNeighbours() {
    int n = 5;
    float[] mask = new float[n * n];
    mask[12] = 16; // a single spike in the centre of a 5x5 map
    float[] out = new Pamr(1, new int[] {1, 2}).refine(mask, 1, n, n, image(n, n, new float[n * n]));
    // The centre sees only its neighbours (all zero); (1,1) sees the spike once, at dilation 1; (0,0) at dilation 2.
    assertThat(out[12]).isCloseTo(0f, within(1e-6f));
    assertThat(out[6]).isCloseTo(1f, within(1e-6f));
    assertThat(out[0]).isCloseTo(1f, within(1e-6f));
    assertThat(out[1]).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void maskAlignedWithAnImageEdgeStaysSharp() {
    int h = 12;
    int w = 12;
    float[] plane = new float[h * w];
    float[] mask = new float[2 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        plane[i] = x < w / 2 ? -1f : 1f;
        mask[i] = x < w / 2 ? 1f : 0f;
        mask[h * w + i] = 1f - mask[i];
      }
    }
    float[] edge = new Pamr(10, new int[] {1, 2}).refine(mask, 2, h, w, image(h, w, plane));
    float[] flat = new Pamr(10, new int[] {1, 2}).refine(mask, 2, h, w, image(h, w, new float[h * w]));
    int atEdge = 5 * w + w / 2 - 1;
    assertThat(edge[atEdge]).isGreaterThan(0.999f);
    assertThat(flat[atEdge]).isLessThan(0.9f);
    for (int i = 0; i < h * w; i++) {
      assertThat(edge[i] + edge[h * w + i]).isCloseTo(1f, within(1e-5f));
    }
  }

  @Test
  void providerDefaultsAndValidation() {
    PamrProvider p = new PamrProvider();
    assertThat(p.id()).isEqualTo("pamr");
    assertThat(p.defaults()).containsExactlyInAnyOrderEntriesOf(Map.of("iterations", "10", "dilations", "8,16"));
    assertThat(p.create(Map.of("dilations", "1, 2,4"))).isInstanceOf(Pamr.class);
    assertThatThrownBy(() -> p.create(Map.of("steps", "3"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown parameter 'steps' for pamr; accepted: dilations, iterations");
    assertThatThrownBy(() -> p.create(Map.of("dilations", "8,x"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'dilations'").hasMessageContaining("8,x");
    assertThatThrownBy(() -> p.create(Map.of("dilations", "8,0"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'dilations'");
    assertThatThrownBy(() -> p.create(Map.of("dilations", ""))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'dilations'");
    assertThatThrownBy(() -> p.create(Map.of("iterations", "-1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'iterations'").hasMessageContaining("-1");
    assertThatThrownBy(() -> p.create(Map.of("iterations", "ten"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'iterations'");
  }
}

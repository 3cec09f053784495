package org.ovss.datasets;

import org.ovss.api.InvalidInputException;

/**
 * Decodes COCO's compressed run-length masks ({@code cocodataset/cocoapi PythonAPI/pycocotools/maskApi.c}
 * {@code rleFrString} and {@code rleDecode}), the {@code segmentation} format of the Detail API's annotations.
 *
 * <p>The string holds the run lengths, alternately of 0s and 1s starting with 0s, over the pixels in column-major
 * order (down each column, then the next column). Each count is a little-endian sequence of 5-bit groups, one per
 * character {@code c - 48}; bit 0x20 says another group follows, bit 0x10 of the last group is the sign; from the
 * fourth count on (index 3), a count is stored as its difference from the count two before it.
 */
final class CocoRle {
  private CocoRle() {}

  /**
   * The mask of {@code counts} over an {@code h x w} image, row-major.
   *
   * @param where what the string comes from, for error messages
   */
  static boolean[] decode(String counts, int h, int w, String where) {
    long[] cnts = new long[counts.length()];
    int m = 0;
    int p = 0;
    while (p < counts.length()) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= counts.length()) {
          throw new InvalidInputException(where + ": COCO RLE string ends inside a count");
        }
        int c = counts.charAt(p) - 48;
        if (c < 0 || c > 63 || k > 6) {
          throw new InvalidInputException(where + ": COCO RLE string has an invalid character at " + p);
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k);
        }
      }
      if (m > 2) {
        x += cnts[m - 2];
      }
      cnts[m++] = x;
    }
    long total = (long) h * w;
    boolean[] mask = new boolean[(int) total];
    long at = 0;
    boolean value = false;
    for (int i = 0; i < m; i++) {
      long run = cnts[i];
      if (run < 0 || at + run > total) {
        throw new InvalidInputException(where + ": COCO RLE runs do not fit a " + h + " x " + w + " mask");
      }
      if (value) {
        for (long j = at; j < at + run; j++) {
          int col = (int) (j / h);
          int row = (int) (j % h);
          mask[row * w + col] = true;
        }
      }
      at += run;
      value = !value;
    }
    return mask;
  }
}

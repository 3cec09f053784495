package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

/** Hostile and broken image files get a clear refusal naming the file, before any large allocation. */
class ImageDecodingTest {
  private static final DatasetSpec VOC21 = DatasetSpecs.get("voc21");

  @TempDir Path dir;

  @Test
  void aDecompressionBombIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
    // 60000 x 60000 RGB would take 10.8 GB decoded; the heap of the test JVM is 4 GB.
    Path bomb = TestImages.pngHeaderOnly(dir.resolve("bomb.png"), 60_000, 60_000);
    assertThatThrownBy(() -> ImageDecoding.read(bomb, "image"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(bomb.toString())
        .hasMessageContaining("60000x60000, above the limit of " + ImageDecoding.MAX_PIXELS)
        .hasMessageContaining("before decoding");
    assertThatThrownBy(() -> LabelMaps.read(bomb, VOC21, 1, 1))
        .hasMessageContaining("label map " + bomb).hasMessageContaining("above the limit");
  }

  @Test
  void zeroSizedEmptyAndTruncatedFilesAreRefused() throws Exception {
    Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
    assertThatThrownBy(() -> ImageDecoding.read(empty, "image"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(empty + ": the file is empty");
    Path zero = TestImages.pngHeaderOnly(dir.resolve("zero.png"), 0, 5);
    assertThatThrownBy(() -> ImageDecoding.read(zero, "image"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(zero.toString());

    BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 64 * 48; i++) {
      image.setRGB(i % 64, i / 64, i * 2654435761L > 0 ? (int) (i * 2654435761L) : i);
    }
    for (String format : new String[] {"png", "jpg"}) {
      Path whole = dir.resolve("whole." + format);
      ImageIO.write(image, format, whole.toFile());
      byte[] bytes = Files.readAllBytes(whole);
      Path cut = Files.write(dir.resolve("cut." + format), Arrays.copyOf(bytes, bytes.length * 2 / 3));
      assertThatThrownBy(() -> ImageDecoding.read(cut, "image"))
          .as(format)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot decode image " + cut);
    }
  }

  @Test
  void labelMapsWithAlphaOrColourAreRefusedNamingTheirChannels() throws Exception {
    BufferedImage greyAlpha = new BufferedImage(
        new java.awt.image.ComponentColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY),
            true, false, java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE),
        java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 2, 2, 2, null), false, null);
    Path png = dir.resolve("grey-alpha.png");
    assertThat(ImageIO.write(greyAlpha, "png", png.toFile())).isTrue();
    assertThatThrownBy(() -> LabelMaps.read(png, VOC21, 2, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(png.toString())
        .hasMessageContaining("2 channels");
  }
}

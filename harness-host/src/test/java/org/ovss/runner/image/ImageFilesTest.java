package org.ovss.runner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

/** Decoding as {@code cv2.imread(IMREAD_COLOR)} does, and clear refusals. */
class ImageFilesTest {
  @TempDir Path dir;

  @Test
  void greyImagesCopyTheirValueIntoEveryChannelWithoutGamma() throws Exception {
    BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 50);
    grey.getRaster().setSample(1, 0, 0, 128);
    grey.getRaster().setSample(2, 0, 0, 200);
    Path png = dir.resolve("grey.png");
    ImageIO.write(grey, "png", png.toFile());
    RgbImage rgb = ImageFiles.read(png);
    // Java's grey-to-sRGB conversion would give 122, 188, 229 here.
    assertThat(rgb.pixels()).containsExactly(50, 128, 200, 50, 128, 200, 50, 128, 200);
  }

  @Test
  void sixteenBitGreyIsScaledTo8Bits() throws Exception {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey.getRaster().setSample(0, 0, 0, 65535);
    grey.getRaster().setSample(1, 0, 0, 256 * 10 + 255);
    Path png = dir.resolve("grey16.png");
    ImageIO.write(grey, "png", png.toFile());
    assertThat(ImageFiles.read(png).pixels()).containsExactly(255, 10, 255, 10, 255, 10);
  }

  @Test
  void colourImagesKeepTheirChannelsAndDropAlpha() throws Exception {
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x80102030);
    Path png = dir.resolve("alpha.png");
    ImageIO.write(argb, "png", png.toFile());
    assertThat(ImageFiles.read(png).pixels()).containsExactly(0x10, 0x20, 0x30);
  }

  @Test
  void missingTruncatedAndUnknownFilesAreNamed() throws Exception {
    assertThatThrownBy(() -> ImageFiles.read(dir.resolve("none.jpg")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("none.jpg").hasMessageContaining("does not exist");
    Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image");
    assertThatThrownBy(() -> ImageFiles.read(text))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("notes.jpg");
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    Path jpg = dir.resolve("cut.jpg");
    ImageIO.write(img, "jpg", jpg.toFile());
    byte[] bytes = Files.readAllBytes(jpg);
    Files.write(jpg, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    assertThatThrownBy(() -> ImageFiles.read(jpg)).isInstanceOf(InvalidInputException.class).hasMessageContaining("cut.jpg");
  }

  @Test
  void greyWithAlphaKeepsItsGreyValueWithoutGamma() throws Exception {
    BufferedImage greyAlpha = new BufferedImage(new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
        true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE),
        Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 1, 1, 2, null), false, null);
    greyAlpha.getRaster().setPixel(0, 0, new int[] {90, 17});
    Path png = dir.resolve("grey-alpha.png");
    assertThat(ImageIO.write(greyAlpha, "png", png.toFile())).isTrue();
    assertThat(ImageFiles.read(png).pixels()).containsExactly(90, 90, 90);
  }

  @Test
  void sixteenBitColourAndAlphaAreScaledTo8BitsAndAlphaDropped() throws Exception {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
        Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
    BufferedImage rgba = new BufferedImage(cm, cm.createCompatibleWritableRaster(1, 1), false, null);
    rgba.getRaster().setPixel(0, 0, new int[] {0xFFFF, 0x8000, 0x0000, 0x1234});
    Path png = dir.resolve("rgba16.png");
    assertThat(ImageIO.write(rgba, "png", png.toFile())).isTrue();
    assertThat(ImageFiles.read(png).pixels()).containsExactly(255, 128, 0);
  }

  @Test
  void greyJpegIsReadAsThreeEqualChannels() throws Exception {
    BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 64; i++) {
      grey.getRaster().setSample(i % 8, i / 8, 0, 120);
    }
    Path jpg = dir.resolve("grey.jpg");
    assertThat(ImageIO.write(grey, "jpg", jpg.toFile())).isTrue();
    float[] px = ImageFiles.read(jpg).pixels();
    assertThat(px).hasSize(3 * 64);
    assertThat(px[0]).isEqualTo(px[64]).isEqualTo(px[128]).isBetween(118f, 122f);
  }

  @Test
  void aFourChannelJpegIsDecodedOrRefusedNamingTheFile() throws Exception {
    // A four-channel JPEG as Photoshop writes CMYK: the JDK's decoder cannot convert it.
    WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 8, 8, 4, null);
    Path jpg = dir.resolve("cmyk.jpg");
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(jpg.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(cmyk, null, null), null);
    } finally {
      writer.dispose();
    }
    // Which one depends on the JDK's decoder (its markers decide CMYK or not); never a raw exception.
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> assertThat(ImageFiles.read(jpg).pixels()).hasSize(3 * 64));
    if (t != null) {
      assertThat(t).isInstanceOf(InvalidInputException.class).hasMessageContaining("cannot decode image " + jpg);
    }
  }
}

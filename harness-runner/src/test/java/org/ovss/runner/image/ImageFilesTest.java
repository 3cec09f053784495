package org.ovss.runner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
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
}

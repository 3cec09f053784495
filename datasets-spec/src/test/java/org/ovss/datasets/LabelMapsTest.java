package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

class LabelMapsTest {
  private static final DatasetSpec VOC21 = DatasetSpecs.get("voc21");

  @TempDir
  Path dir;

  @Test
  void paletteLabelsAreReadAsIndicesNotColours() {
    Path png = dir.resolve("2007_000033.png");
    int[] values = {0, 1, 15, 255, 20, 0};
    TestImages.indexedPng(png, values, 2, 3, VOC21.palette());
    assertThat(LabelMaps.read(png, VOC21, 2, 3)).containsExactly(values);
  }

  @Test
  void reduceZeroLabelIsMmsegs() {
    Path png = dir.resolve("ade.png");
    TestImages.greyPng(png, new int[] {0, 1, 2, 150, 255, 0}, 2, 3, false);
    assertThat(LabelMaps.read(png, DatasetSpecs.get("ade20k"), 2, 3)).containsExactly(255, 0, 1, 149, 255, 255);
    Path voc = dir.resolve("voc20.png");
    TestImages.indexedPng(voc, new int[] {0, 1, 20, 255}, 2, 2, VOC21.palette());
    assertThat(LabelMaps.read(voc, DatasetSpecs.get("voc20"), 2, 2)).containsExactly(255, 0, 19, 255);
  }

  @Test
  void sixteenBitGreyIsReadWhenValuesFitInEightBits() {
    Path ok = dir.resolve("ok16.png");
    TestImages.greyPng(ok, new int[] {0, 170, 255, 3}, 2, 2, true);
    assertThat(LabelMaps.read(ok, DatasetSpecs.get("coco-stuff"), 2, 2)).containsExactly(0, 170, 255, 3);
    Path big = dir.resolve("big16.png");
    TestImages.greyPng(big, new int[] {0, 1, 256, 3}, 2, 2, true);
    assertThatThrownBy(() -> LabelMaps.read(big, DatasetSpecs.get("coco-stuff"), 2, 2))
        .hasMessageContaining(big.toString())
        .hasMessageContaining("value 256 at row 1, column 0");
  }

  @Test
  void wrongSizeNamesFileAndBothSizes() {
    Path png = dir.resolve("small.png");
    TestImages.indexedPng(png, new int[6], 2, 3, VOC21.palette());
    assertThatThrownBy(() -> LabelMaps.read(png, VOC21, 3, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(png.toString())
        .hasMessageContaining("is 2 x 3 (height x width) but its image is 3 x 2");
  }

  @Test
  void outOfRangeValueNamesFileValueAndPixel() {
    Path png = dir.resolve("bad.png");
    TestImages.indexedPng(png, new int[] {0, 1, 2, 3, 21, 22}, 2, 3, VOC21.palette());
    assertThatThrownBy(() -> LabelMaps.read(png, VOC21, 2, 3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(png.toString())
        .hasMessageContaining("value 21 at row 1, column 1 (2 such pixel(s))")
        .hasMessageContaining("classes 0..20 and ignore index 255");
    Path ade = dir.resolve("ade-bad.png");
    TestImages.greyPng(ade, new int[] {151}, 1, 1, false);
    assertThatThrownBy(() -> LabelMaps.read(ade, DatasetSpecs.get("ade20k"), 1, 1))
        .hasMessageContaining("value 150 (stored 151, after reduce_zero_label)");
  }

  @Test
  void colourAndUndecodableLabelsAreRefused() throws IOException {
    Path rgb = dir.resolve("rgb.png");
    TestImages.rgbPng(rgb, 2, 2);
    assertThatThrownBy(() -> LabelMaps.read(rgb, VOC21, 2, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(rgb.toString())
        .hasMessageContaining("label maps must be indexed (palette) or greyscale");
    Path junk = Files.writeString(dir.resolve("junk.png"), "not a png");
    assertThatThrownBy(() -> LabelMaps.read(junk, VOC21, 2, 2))
        .hasMessageContaining("cannot decode label map " + junk);
    assertThatThrownBy(() -> LabelMaps.read(dir.resolve("none.png"), VOC21, 2, 2))
        .hasMessageContaining("does not exist");
  }

  @Test
  void palettePngRoundTrips() throws IOException {
    Path file = dir.resolve("predictions/frankfurt/frankfurt_000000_000294.png");
    int[] labels = {0, 1, 2, 20, 255, 7, 15, 0};
    LabelMaps.writePalettePng(file, labels, 2, 4, VOC21.palette());
    assertThat(LabelMaps.read(file, VOC21, 2, 4)).containsExactly(labels);

    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getColorModel()).isInstanceOf(IndexColorModel.class);
    assertThat(image.getRGB(1, 0) & 0xFFFFFF).as("class 1 drawn in VOC red").isEqualTo(0x800000);
    assertThat(image.getRGB(0, 1) & 0xFFFFFF).as("ignore drawn black").isZero();
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertThat(left).containsExactly(file);
    }
    LabelMaps.writePalettePng(file, new int[8], 2, 4, VOC21.palette());
    assertThat(LabelMaps.read(file, VOC21, 2, 4)).containsOnly(0);
  }

  @Test
  void writingAValueWithoutColourFails() {
    assertThatThrownBy(() -> LabelMaps.writePalettePng(dir.resolve("x.png"), new int[] {21}, 1, 1, VOC21.palette()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 21");
    assertThat(dir.resolve("x.png")).doesNotExist();
  }
}

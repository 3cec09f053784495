package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

/** {@link DatasetCheck} on VOC-layout roots written here with known label maps. */
class DatasetCheckTest {
  @TempDir Path dir;

  private static final int[][] PALETTE = new int[256][];

  static {
    for (int i = 0; i < 256; i++) {
      PALETTE[i] = new int[] {i, 255 - i, i / 2};
    }
  }

  /** A voc21 root of 2 x 3 label maps, one per entry of {@code maps}. */
  private Path voc(int[]... maps) throws Exception {
    Path root = dir.resolve("VOC2012");
    Files.createDirectories(root.resolve("ImageSets/Segmentation"));
    StringBuilder split = new StringBuilder();
    for (int i = 0; i < maps.length; i++) {
      String id = "2007_00000" + i;
      TestImages.jpeg(root.resolve("JPEGImages/" + id + ".jpg"), 2, 3);
      TestImages.indexedPng(root.resolve("SegmentationClass/" + id + ".png"), maps[i], 2, 3, PALETTE);
      split.append(id).append('\n');
    }
    Files.writeString(root.resolve("ImageSets/Segmentation/val.txt"), split);
    return root;
  }

  @Test
  void correctRootHasNoProblemsAndCountsPixelsPerClass() throws Exception {
    Path root = voc(new int[] {0, 0, 15, 15, 255, 1}, new int[] {0, 1, 1, 1, 20, 255});
    DatasetCheck.Report r = DatasetCheck.full(DatasetSpecs.get("voc21"), root, (d, t) -> { });
    assertThat(r.problems()).isEmpty();
    assertThat(r.samples()).isEqualTo(2);
    assertThat(r.classPixels()[0]).isEqualTo(3);
    assertThat(r.classPixels()[1]).isEqualTo(4);
    assertThat(r.classPixels()[15]).isEqualTo(2);
    assertThat(r.classPixels()[20]).isEqualTo(1);
    assertThat(r.ignorePixels()).isEqualTo(2);
    assertThat(r.splitSha256()).isEqualTo(DatasetIndex.open(DatasetSpecs.get("voc21"), root).splitHash());
    assertThat(r.notes()).anyMatch(n -> n.contains("2 samples; the official val split of voc21 has 1449"));
    assertThat(r.notes()).anyMatch(n -> n.startsWith("17 class(es) never occur: bicycle, bird, boat,") && !n.contains("person"));
    DatasetCheck.quick(DatasetSpecs.get("voc21"), DatasetIndex.open(DatasetSpecs.get("voc21"), root));
  }

  @Test
  void aValueOutsideTheClassesIsNamedWithItsFile() throws Exception {
    Path root = voc(new int[] {0, 0, 15, 15, 255, 1}, new int[] {0, 1, 1, 99, 20, 255}, new int[] {0, 0, 0, 0, 0, 0});
    DatasetCheck.Report r = DatasetCheck.full(DatasetSpecs.get("voc21"), root, (d, t) -> { });
    Path bad = root.resolve("SegmentationClass/2007_000001.png").toAbsolutePath().normalize();
    assertThat(r.problems()).containsExactly("label map " + bad + " has value 99 at row 1, column 0, which is neither"
        + " a class (0..20) nor the ignore index 255");
    // The middle sample is among those the quick check reads (first, last and spread between).
    assertThatThrownBy(() -> DatasetCheck.quick(DatasetSpecs.get("voc21"), DatasetIndex.open(DatasetSpecs.get("voc21"), root)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("value 99");
  }

  @Test
  void mapsOfTheOtherConventionAreRecognised() throws Exception {
    // Three classes stored as stored would be 0..2; these maps hold 0..3 as reduce_zero_label maps do.
    Path root = voc(new int[] {0, 1, 2, 3, 3, 0});
    Path spec = dir.resolve("three.json");
    Files.writeString(spec, "{\"name\": \"three\", \"classes\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}],"
        + " \"palette\": [[1,1,1],[2,2,2],[3,3,3]], \"layout\": {\"imageDir\": \"JPEGImages\", \"imageSuffix\": \".jpg\","
        + " \"labelDir\": \"SegmentationClass\", \"labelSuffix\": \".png\", \"splitFile\": \"ImageSets/Segmentation/val.txt\"}}");
    DatasetSpec asStored = DatasetSpecs.load(spec);
    DatasetCheck.Report r = DatasetCheck.full(asStored, root, (d, t) -> { });
    assertThat(r.convention()).isEqualTo("reduce_zero_label (0 = ignore, 1..3)");
    assertThat(r.problems()).hasSize(2);
    assertThat(r.problems().get(1)).contains("the maps follow reduce_zero_label").contains("spec three reads them as stored");
    assertThatThrownBy(() -> DatasetCheck.quick(asStored, DatasetIndex.open(asStored, root)))
        .hasMessageContaining("values reach 3 = the number of classes");

    Files.writeString(spec, Files.readString(spec).replace("\"name\": \"three\",", "\"name\": \"three\", \"reduceZeroLabel\": true,"));
    DatasetCheck.Report reduced = DatasetCheck.full(DatasetSpecs.load(spec), root, (d, t) -> { });
    assertThat(reduced.problems()).isEmpty();
    assertThat(reduced.classPixels()).containsExactly(1, 1, 2);
    assertThat(reduced.ignorePixels()).isEqualTo(2);
  }

  @Test
  void labelMapsOfAnotherSizeThanTheirImageAreProblems() throws Exception {
    Path root = voc(new int[] {0, 0, 15, 15, 255, 1});
    TestImages.indexedPng(root.resolve("SegmentationClass/2007_000000.png"), new int[] {0, 1, 2, 3}, 2, 2, PALETTE);
    DatasetCheck.Report r = DatasetCheck.full(DatasetSpecs.get("voc21"), root, (d, t) -> { });
    assertThat(r.problems()).singleElement().asString().contains("is 2 x 2 (height x width) but its image")
        .contains("is 2 x 3");
    assertThatThrownBy(() -> DatasetCheck.quick(DatasetSpecs.get("voc21"), DatasetIndex.open(DatasetSpecs.get("voc21"), root)))
        .hasMessageContaining("checked before the run");
  }

  @Test
  void aMissingLabelMapIsAProblemNotACrash() throws Exception {
    Path root = voc(new int[] {0, 0, 15, 15, 255, 1});
    Files.delete(root.resolve("SegmentationClass/2007_000000.png"));
    DatasetCheck.Report r = DatasetCheck.full(DatasetSpecs.get("voc21"), root, (d, t) -> { });
    assertThat(r.problems()).singleElement().asString().contains("2007_000000.png");
    assertThat(r.samples()).isZero();
    assertThat(List.of(r.splitSha256() == null)).containsExactly(true);
  }
}

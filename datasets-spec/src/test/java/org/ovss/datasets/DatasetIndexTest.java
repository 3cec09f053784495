package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

class DatasetIndexTest {
  private static final DatasetSpec VOC = DatasetSpecs.get("voc21");

  @TempDir
  Path root;

  /** VOCdevkit/VOC2012 in miniature: JPEGImages, SegmentationClass and ImageSets/Segmentation/val.txt. */
  private Path vocSplit(String... ids) throws IOException {
    for (String id : ids) {
      TestImages.jpeg(root.resolve("JPEGImages/" + id + ".jpg"), 3, 4);
      TestImages.indexedPng(root.resolve("SegmentationClass/" + id + ".png"), new int[12], 3, 4, VOC.palette());
    }
    Path split = root.resolve("ImageSets/Segmentation/val.txt");
    Files.createDirectories(split.getParent());
    return Files.writeString(split, String.join("\n", ids) + "\n");
  }

  @Test
  void findsSamplesInSplitOrder() throws IOException {
    vocSplit("2007_000129", "2007_000033");
    DatasetIndex index = DatasetIndex.open(VOC, root);
    assertThat(index.samples()).extracting(Sample::id).containsExactly("2007_000129", "2007_000033");
    Sample first = index.samples().get(0);
    assertThat(first.image()).isEqualTo(root.toAbsolutePath().resolve("JPEGImages/2007_000129.jpg"));
    assertThat(first.label()).isEqualTo(root.toAbsolutePath().resolve("SegmentationClass/2007_000129.png"));
    assertThat(index.size()).isEqualTo(2);

    assertThat(DatasetIndex.open(VOC, root).splitHash()).isEqualTo(index.splitHash());
    DatasetIndex one = index.limit(1);
    assertThat(one.samples()).extracting(Sample::id).containsExactly("2007_000129");
    assertThat(one.splitHash()).isNotEqualTo(index.splitHash());
    assertThat(index.limit(10)).isSameAs(index);
  }

  @Test
  void missingImageDirSaysWhatDataRootIsExpectedToHold() throws IOException {
    Files.createDirectories(root.resolve("SegmentationClass"));
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("expected JPEGImages/ under --data-root")
        .hasMessageContaining("the directory holding JPEGImages, SegmentationClass and ImageSets");
  }

  @Test
  void missingLabelNamesEntryFileAndSplitFile() throws IOException {
    Path split = vocSplit("a", "b");
    Files.delete(root.resolve("SegmentationClass/b.png"));
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("1 file(s) missing")
        .hasMessageContaining("entry 'b' (line 2 of " + split.toAbsolutePath())
        .hasMessageContaining("label map " + root.toAbsolutePath().resolve("SegmentationClass/b.png"));
  }

  @Test
  void manyMissingFilesShowFiveThenACount() throws IOException {
    vocSplit("a");
    Files.writeString(root.resolve("ImageSets/Segmentation/val.txt"), "a\nb\nc\nd\ne\nf\n");
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .hasMessageContaining("10 file(s) missing")
        .hasMessageContaining("... and 5 more");
  }

  @Test
  void splitEntriesLeavingTheDataRootAreRefused() throws IOException {
    vocSplit("a");
    Path split = root.resolve("ImageSets/Segmentation/val.txt");
    Files.writeString(split, "a\n../etc/passwd\n");
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("entry '../etc/passwd' (line 2 of " + split.toAbsolutePath())
        .hasMessageContaining("'..' are refused");
    Files.writeString(split, "/etc/passwd\n");
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .hasMessageContaining("entry '/etc/passwd'")
        .hasMessageContaining("absolute paths");
    Files.writeString(split, "a\n\nsub/b\n");
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .hasMessageContaining("entry 'sub/b' (line 3 of " + split.toAbsolutePath())
        .hasMessageContaining("path separator");
    Files.writeString(split, "a\u0000b\n");
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 1 of " + split.toAbsolutePath())
        .hasMessageContaining("control character");
  }

  @Test
  void missingSplitFileIsNamed() throws IOException {
    vocSplit("a");
    Files.delete(root.resolve("ImageSets/Segmentation/val.txt"));
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root))
        .hasMessageContaining("split file ImageSets/Segmentation/val.txt not found under --data-root");
  }

  @Test
  void dataRootThatIsNoDirectoryIsRefused() {
    assertThatThrownBy(() -> DatasetIndex.open(VOC, root.resolve("nowhere")))
        .hasMessageContaining("--data-root " + root.resolve("nowhere") + " is not a directory");
  }

  @Test
  void withoutSplitFileImagesAreListedRecursivelyAndSorted() {
    DatasetSpec city = DatasetSpecs.get("cityscapes");
    for (String id : new String[] {"munster/munster_000001_000019", "frankfurt/frankfurt_000000_000294",
        "frankfurt/frankfurt_000000_000576"}) {
      TestImages.rgbPng(root.resolve("leftImg8bit/val/" + id + "_leftImg8bit.png"), 2, 2);
      TestImages.greyPng(root.resolve("gtFine/val/" + id + "_gtFine_labelTrainIds.png"), new int[4], 2, 2, false);
    }
    DatasetIndex index = DatasetIndex.open(city, root);
    assertThat(index.samples()).extracting(Sample::id).containsExactly("frankfurt/frankfurt_000000_000294",
        "frankfurt/frankfurt_000000_000576", "munster/munster_000001_000019");
    assertThat(index.samples().get(2).label())
        .isEqualTo(root.toAbsolutePath().resolve("gtFine/val/munster/munster_000001_000019_gtFine_labelTrainIds.png"));
  }

  @Test
  void imageWithoutLabelNamesTheExpectedSuffix() {
    DatasetSpec coco = DatasetSpecs.get("coco-object");
    TestImages.jpeg(root.resolve("images/val2017/000000000139.jpg"), 2, 2);
    TestImages.greyPng(root.resolve("annotations/val2017/000000000139_labelTrainIds.png"), new int[4], 2, 2, false);
    assertThatThrownBy(() -> DatasetIndex.open(coco, root))
        .hasMessageContaining("000000000139_instanceTrainIds.png")
        .hasMessageContaining("ovss prepare coco-object");
  }
}

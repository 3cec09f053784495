package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;

class CocoObjectConverterTest {

  @Test
  void handPickedIdsFollowGroupVitConvertCocoObject() {
    // raw 0 person, 12 stop sign (11 is unused), 89 toothbrush (last thing), 90 unused, 91 banner (first stuff),
    // 181 wood (last stuff), 255 unlabeled, 11 unused.
    int[] raw = {0, 1, 10, 12, 89, 90, 91, 181, 255, 11};
    assertThat(CocoObjectConverter.convert(raw)).containsExactly(1, 2, 11, 12, 80, 90, 0, 0, 0, 11);
  }

  @Test
  void thingsMapOntoCocoObjectClassesOneToOne() {
    // The reference's table skips the 11 COCO ids COCO-Stuff does not use; those values are copied unchanged,
    // and the 80 thing ids take the values 1..80 once each.
    int[] unused = {11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90};
    assertThat(CocoObjectConverter.convert(unused)).containsExactly(unused);
    int[] converted = CocoObjectConverter.convert(IntStream.range(0, 91).toArray());
    int[] expected = IntStream.concat(IntStream.rangeClosed(1, 80), IntStream.of(unused)).sorted().toArray();
    assertThat(IntStream.of(converted).sorted().toArray()).containsExactly(expected);
    // COCO-Object class t+1 is COCO-Stuff train id t for the 80 things, so names line up across the two specs.
    DatasetSpec object = DatasetSpecs.get("coco-object");
    DatasetSpec stuff = DatasetSpecs.get("coco-stuff");
    for (int t = 0; t < 80; t++) {
      assertThat(object.altClasses().get(t + 1)).isEqualTo(stuff.altClasses().get(t));
    }
    assertThat(object.altClasses().get(0)).isEqualTo(ClassPrompt.of("background"));
  }

  @Test
  void convertsRawMapsBesideThemAndLeavesTrainIdFilesAlone(@TempDir Path annotations) {
    Path val = annotations.resolve("val2017");
    TestImages.greyPng(val.resolve("000000000139.png"), new int[] {0, 91, 255, 12, 61, 1}, 2, 3, false);
    TestImages.greyPng(val.resolve("000000000139_labelTrainIds.png"), new int[] {0, 80, 255, 11, 56, 1}, 2, 3, false);
    assertThat(CocoObjectConverter.convertDirectory(annotations)).isEqualTo(1);
    Path out = val.resolve("000000000139_instanceTrainIds.png");
    assertThat(LabelMaps.read(out, DatasetSpecs.get("coco-object"), 2, 3)).containsExactly(1, 0, 0, 12, 57, 2);
    assertThat(val.resolve("000000000139_labelTrainIds_instanceTrainIds.png")).doesNotExist();
  }

  @Test
  void valuesCocoStuffNeverUsesAreRefusedNamingTheFile(@TempDir Path annotations) {
    Path raw = annotations.resolve("train2017/000000000009.png");
    TestImages.greyPng(raw, new int[] {0, 11}, 1, 2, false);
    assertThatThrownBy(() -> CocoObjectConverter.convertDirectory(annotations))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(raw.toString())
        .hasMessageContaining("value 11 at row 0, column 1");
  }

  @Test
  void folderWithoutSplitsIsRefused(@TempDir Path annotations) {
    assertThatThrownBy(() -> CocoObjectConverter.convertDirectory(annotations))
        .hasMessageContaining("expected train2017/ or val2017/ under " + annotations);
  }
}

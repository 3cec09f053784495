package org.ovss.runner.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;

class CaptionedImagesTest {
  @TempDir Path dir;

  @Test
  void singleShapesAreTheImagesShowingOneShapeWithThatShapesIndex() {
    Path data = SyntheticBenchmark.generate(dir.resolve("synth"), new SynthConfig(2, 40, 48, 5L)).root();
    CaptionedImages val = new CaptionedImages(data, "val");
    List<Integer> single = new ArrayList<>();
    List<SyntheticBenchmark.CaptionRecord> records = SyntheticBenchmark.readCaptions(data).stream()
        .filter(r -> r.split().equals("val")).toList();
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).shapes().size() == 1) {
        single.add(i);
      }
    }
    // 40 images with a 35% chance of one shape each: some but not all.
    assertThat(single).isNotEmpty().hasSizeLessThan(40);

    CaptionedImages.SingleShapes shapes = val.singleShapes();
    assertThat(shapes.images()).hasSize(single.size());
    assertThat(shapes.labels()).hasSize(single.size());
    for (int k = 0; k < single.size(); k++) {
      SyntheticBenchmark.CaptionRecord r = records.get(single.get(k));
      assertThat(SyntheticBenchmark.SHAPES.get(shapes.labels()[k])).as(r.id()).isEqualTo(r.shapes().get(0));
      assertThat(shapes.images().get(k)).as(r.id()).hasSize(3 * 48 * 48).isEqualTo(val.image(single.get(k)));
    }
  }
}

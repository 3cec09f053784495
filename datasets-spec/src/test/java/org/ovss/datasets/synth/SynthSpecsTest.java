package org.ovss.datasets.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.ovss.api.ClassPrompt;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;

/** The three spec files must describe the label maps the generator writes, value for value and colour for colour. */
class SynthSpecsTest {

  static DatasetSpec spec(String name) {
    URL url = DatasetSpecs.class.getResource("/META-INF/ovss/datasets/" + name + ".json");
    assertThat(url).as("spec file of %s", name).isNotNull();
    try {
      return DatasetSpecs.load(Path.of(url.toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shapesOnlyIgnoresTheBackgroundLikeVoc20() {
    DatasetSpec spec = spec("synth-shapes");
    assertThat(spec.name()).isEqualTo("synth-shapes");
    assertThat(names(spec)).isEqualTo(SyntheticBenchmark.SHAPES);
    assertThat(spec.layout().labelDir()).isEqualTo(SyntheticBenchmark.CLASS_LABEL_DIR);
    assertThat(spec.reduceZeroLabel()).isTrue();
    assertThat(spec.hasBackground()).isFalse();
    // Label value k + 1 (shape k) is read as class k.
    assertThat(spec.palette()).isDeepEqualTo(colours(1, SyntheticBenchmark.SHAPES.size()));
  }

  @Test
  void shapesWithBackgroundHasClassZeroLikeVoc21() {
    DatasetSpec spec = spec("synth-shapes-bg");
    List<String> expected = new ArrayList<>(List.of("background"));
    expected.addAll(SyntheticBenchmark.SHAPES);
    assertThat(names(spec)).isEqualTo(expected);
    assertThat(spec.classes().get(0).queries()).isEqualTo(SyntheticBenchmark.STUFF);
    assertThat(spec.layout().labelDir()).isEqualTo(SyntheticBenchmark.CLASS_LABEL_DIR);
    assertThat(spec.reduceZeroLabel()).isFalse();
    assertThat(spec.hasBackground()).isTrue();
    assertThat(spec.palette()).isDeepEqualTo(colours(0, 1 + SyntheticBenchmark.SHAPES.size()));
  }

  @Test
  void shapesAndStuffLikeContext59() {
    DatasetSpec spec = spec("synth-stuff");
    List<String> expected = new ArrayList<>(SyntheticBenchmark.SHAPES);
    expected.addAll(SyntheticBenchmark.STUFF);
    assertThat(names(spec)).isEqualTo(expected);
    assertThat(spec.layout().labelDir()).isEqualTo(SyntheticBenchmark.STUFF_LABEL_DIR);
    assertThat(spec.reduceZeroLabel()).isTrue();
    assertThat(spec.hasBackground()).isFalse();
    assertThat(spec.palette()).isDeepEqualTo(colours(1, expected.size()));
  }

  @Test
  void everySpecQueriesShapesByTheirPlainNameAndReadsTheGeneratedLayout() {
    for (String name : SyntheticBenchmark.SPECS) {
      DatasetSpec spec = spec(name);
      assertThat(spec.name()).isEqualTo(name);
      spec.classes().stream().filter(c -> !c.name().equals("background"))
          .forEach(c -> assertThat(c.queries()).containsExactly(c.name()));
      assertThat(spec.altClasses()).extracting(ClassPrompt::name).isEqualTo(names(spec));
      assertThat(spec.layout().imageDir()).isEqualTo(SyntheticBenchmark.IMAGE_DIR);
      assertThat(spec.layout().imageSuffix()).isEqualTo(".png");
      assertThat(spec.layout().splitFile()).isEqualTo(SyntheticBenchmark.SPLIT_DIR + "/val.txt");
      assertThat(spec.ignoreIndex()).isEqualTo(255);
      // --val decides a generated benchmark's val size, so there is no official count to check against.
      assertThat(spec.expectedValSize()).isZero();
    }
  }

  private static List<String> names(DatasetSpec spec) {
    return spec.classes().stream().map(ClassPrompt::name).toList();
  }

  /** The label PNGs' colours of values {@code from .. from + count - 1}. */
  private static int[][] colours(int from, int count) {
    return IntStream.range(from, from + count).mapToObj(SyntheticBenchmark::labelColour).toArray(int[][]::new);
  }
}

package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;

class DatasetSpecsTest {
  /** SCLIP configs/cls_voc21.txt line 0 (anchors.md 1.1). */
  private static final List<String> STUFF_BACKGROUND = List.of("sky", "wall", "tree", "wood", "grass", "road", "sea",
      "river", "mountain", "sands", "desk", "bed", "building", "cloud", "lamp", "door", "window", "wardrobe",
      "ceiling", "shelf", "curtain", "stair", "floor", "hill", "rail", "fence");
  private static final List<String> PERSON = List.of("person", "person in shirt", "person in jeans",
      "person in dress", "person in sweater", "person in skirt", "person in jacket");

  /** The real benchmarks; the synthetic label sets have tests of their own (SynthSpecsTest). */
  private static List<String> benchmarks() {
    return DatasetSpecs.names().stream().filter(n -> !n.startsWith("synth-")).toList();
  }

  @Test
  void everyBuiltInSpecLoadsWithTheBenchmarkClassCounts() {
    Map<String, Integer> counts = Map.of("voc21", 21, "voc20", 20, "context60", 60, "context59", 59,
        "coco-object", 81, "coco-stuff", 171, "ade20k", 150, "cityscapes", 19);
    assertThat(benchmarks()).containsExactlyInAnyOrderElementsOf(counts.keySet());
    for (String name : benchmarks()) {
      DatasetSpec spec = DatasetSpecs.get(name);
      assertThat(spec.name()).isEqualTo(name);
      assertThat(spec.classCount()).as(name).isEqualTo(counts.get(name));
      assertThat(spec.palette().length).as(name).isEqualTo(spec.classCount());
      assertThat(spec.altClasses()).as(name).hasSize(spec.classCount());
      assertThat(spec.ignoreIndex()).isEqualTo(255);
      assertThat(spec.source()).as(name).contains("SCLIP");
      assertThat(spec.contentHash()).matches("[0-9a-f]{64}");
    }
  }

  @Test
  void labelRulesFollowTheReferenceDatasets() {
    assertThat(benchmarks().stream().filter(n -> DatasetSpecs.get(n).reduceZeroLabel()))
        .containsExactlyInAnyOrder("voc20", "context59", "ade20k");
    assertThat(benchmarks().stream().filter(n -> DatasetSpecs.get(n).hasBackground()))
        .containsExactlyInAnyOrder("voc21", "context60", "coco-object");
    assertThat(benchmarks().stream().map(n -> DatasetSpecs.get(n).expectedValSize()))
        .containsExactly(1449, 1449, 5104, 5104, 5000, 5000, 2000, 500);
  }

  @Test
  void voc21UsesSclipSynonymsUnderTheDatasetClassNames() {
    DatasetSpec voc = DatasetSpecs.get("voc21");
    assertThat(voc.classes().get(0)).isEqualTo(new ClassPrompt("background", STUFF_BACKGROUND));
    assertThat(voc.classes().get(15)).isEqualTo(new ClassPrompt("person", PERSON));
    assertThat(voc.classes().get(20)).isEqualTo(new ClassPrompt("tvmonitor",
        List.of("television monitor", "tv monitor", "monitor", "television", "screen")));
    assertThat(voc.classes().get(4)).isEqualTo(new ClassPrompt("boat", List.of("ship")));
    assertThat(voc.altClasses().stream().map(ClassPrompt::name)).startsWith("background", "aeroplane")
        .endsWith("monitor");
    assertThat(voc.layout()).isEqualTo(new Layout("JPEGImages", ".jpg", "SegmentationClass", ".png",
        "ImageSets/Segmentation/val.txt", false));
  }

  @Test
  void cocoObjectSharesTheStuffBackgroundAndAddsBodyToPerson() {
    DatasetSpec coco = DatasetSpecs.get("coco-object");
    assertThat(coco.classes().get(0).queries()).isEqualTo(STUFF_BACKGROUND);
    assertThat(coco.classes().get(1).queries()).containsExactlyElementsOf(
        concat(PERSON, List.of("body")));
    assertThat(coco.layout().labelSuffix()).isEqualTo("_instanceTrainIds.png");
    assertThat(DatasetSpecs.get("coco-stuff").layout().labelSuffix()).isEqualTo("_labelTrainIds.png");
    assertThat(DatasetSpecs.get("cityscapes").layout()).isEqualTo(new Layout("leftImg8bit/val", "_leftImg8bit.png",
        "gtFine/val", "_gtFine_labelTrainIds.png", null, true));
  }

  @Test
  void palettesAreTheMmsegOnes() {
    int[][] voc = DatasetSpecs.get("voc21").palette();
    for (int k = 0; k < voc.length; k++) {
      assertThat(voc[k]).as("VOC colour %d", k).containsExactly(vocColour(k));
    }
    assertThat(DatasetSpecs.get("voc20").palette()).isDeepEqualTo(Arrays.copyOfRange(voc, 1, 21));
    // mmseg's Context palettes are the first 60 ADE20K colours; COCO-Object's are black + COCO-Stuff's first 80.
    int[][] ade = DatasetSpecs.get("ade20k").palette();
    assertThat(DatasetSpecs.get("context60").palette()).isDeepEqualTo(Arrays.copyOfRange(ade, 0, 60));
    assertThat(DatasetSpecs.get("context59").palette()).isDeepEqualTo(Arrays.copyOfRange(ade, 1, 60));
    int[][] stuff = DatasetSpecs.get("coco-stuff").palette();
    int[][] object = DatasetSpecs.get("coco-object").palette();
    assertThat(object[0]).containsExactly(0, 0, 0);
    assertThat(Arrays.copyOfRange(object, 1, 81)).isDeepEqualTo(Arrays.copyOfRange(stuff, 0, 80));
  }

  @Test
  void contentHashIsTheSha256OfTheSpecFileAndStable(@TempDir Path dir) throws IOException {
    byte[] bytes;
    try (InputStream in = DatasetSpecs.class.getResourceAsStream("/META-INF/ovss/datasets/ade20k.json")) {
      bytes = in.readAllBytes();
    }
    DatasetSpec builtIn = DatasetSpecs.get("ade20k");
    assertThat(builtIn.contentHash()).isEqualTo(Sha256.hex(bytes));
    Path copy = Files.write(dir.resolve("ade.json"), bytes);
    assertThat(DatasetSpecs.load(copy)).isEqualTo(builtIn);
    Path edited = Files.writeString(dir.resolve("ade-edited.json"),
        new String(bytes, StandardCharsets.UTF_8).replace("\"ADE20K", "\"My ADE20K"));
    DatasetSpec user = DatasetSpecs.load(edited);
    assertThat(user.contentHash()).isNotEqualTo(builtIn.contentHash());
    assertThat(user.classes()).isEqualTo(builtIn.classes());
  }

  @Test
  void unknownDatasetNameListsTheAvailableOnes() {
    assertThatThrownBy(() -> DatasetSpecs.get("voc"))
        .isInstanceOf(UnknownNameException.class)
        .hasMessageContaining("unknown dataset 'voc'")
        .hasMessageContainingAll(DatasetSpecs.names().toArray(String[]::new));
  }

  @Test
  void userSpecWithUnknownKeyIsRefusedNamingKeyAndFile(@TempDir Path dir) throws IOException {
    Path top = Files.writeString(dir.resolve("mine.json"), minimalSpec().replace("\"palette\"", "\"colours\""));
    assertThatThrownBy(() -> DatasetSpecs.load(top))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown key 'colours'")
        .hasMessageContaining(top.toString())
        .hasMessageContaining("palette");
    Path nested = Files.writeString(dir.resolve("nested.json"), minimalSpec().replace("\"imageSuffix\"", "\"imgSuffix\""));
    assertThatThrownBy(() -> DatasetSpecs.load(nested))
        .hasMessageContaining("unknown key 'imgSuffix' at layout")
        .hasMessageContaining(nested.toString());
  }

  @Test
  void minimalUserSpecGetsDefaultsAndBadOnesNameTheFile(@TempDir Path dir) throws IOException {
    DatasetSpec spec = DatasetSpecs.load(Files.writeString(dir.resolve("mine.json"), minimalSpec()));
    assertThat(spec.classes()).containsExactly(ClassPrompt.of("floor"), new ClassPrompt("cat", List.of("cat", "kitty")));
    assertThat(spec.altClasses()).containsExactly(ClassPrompt.of("floor"), ClassPrompt.of("cat"));
    assertThat(spec.ignoreIndex()).isEqualTo(255);
    assertThat(spec.reduceZeroLabel()).isFalse();
    assertThat(spec.layout().splitFile()).isNull();
    assertThat(spec.displayName()).isEqualTo("mine");

    Path shortPalette = Files.writeString(dir.resolve("short.json"), minimalSpec().replace(", [1, 2, 3]", ""));
    assertThatThrownBy(() -> DatasetSpecs.load(shortPalette))
        .hasMessageContaining(shortPalette.toString())
        .hasMessageContaining("palette has 1 colours for 2 classes");
    Path noLayout = Files.writeString(dir.resolve("nolayout.json"),
        minimalSpec().replaceAll(",\\s*\"layout\": \\{[^}]*}", ""));
    assertThatThrownBy(() -> DatasetSpecs.load(noLayout)).hasMessageContaining("missing key 'layout'");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"name\": ");
    assertThatThrownBy(() -> DatasetSpecs.load(broken))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(broken + " is not a valid dataset spec");
    Path nothing = Files.writeString(dir.resolve("null.json"), "null");
    assertThatThrownBy(() -> DatasetSpecs.load(nothing)).hasMessageContaining("holds no JSON object");
  }

  @Test
  void classNamesWithControlCharactersAreRefusedNamingTheClass(@TempDir Path dir) throws IOException {
    Path bell = Files.writeString(dir.resolve("bell.json"), minimalSpec().replace("\"kitty\"", "\"kit\\u001b[2Jty\""));
    assertThatThrownBy(() -> DatasetSpecs.load(bell))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(bell.toString())
        .hasMessageContaining("classes[1].queries 'kit?[2Jty' contains the control character U+001B");
    Path rtl = Files.writeString(dir.resolve("rtl.json"), minimalSpec().replace("\"floor\"}", "\"flo\\u202eor\"}"));
    assertThatThrownBy(() -> DatasetSpecs.load(rtl)).hasMessageContaining("classes[0].name").hasMessageContaining("U+202E");
    // HTML is text to a dataset: the renderers escape it.
    DatasetSpec html = DatasetSpecs.load(Files.writeString(dir.resolve("html.json"),
        minimalSpec().replace("\"floor\"}", "\"<b>floor</b>\"}")));
    assertThat(html.classes().get(0).name()).isEqualTo("<b>floor</b>");
  }

  private static String minimalSpec() {
    return """
        {"name": "mine",
         "classes": [{"name": "floor"}, {"name": "cat", "queries": ["cat", "kitty"]}],
         "palette": [[0, 0, 0], [1, 2, 3]],
         "layout": {"imageDir": "img", "imageSuffix": ".jpg", "labelDir": "ann", "labelSuffix": ".png"}}
        """;
  }

  /** The PASCAL VOC colormap: bits of the class index interleaved into r, g, b from the most significant bit. */
  private static int[] vocColour(int index) {
    int r = 0;
    int g = 0;
    int b = 0;
    int c = index;
    for (int bit = 7; bit >= 0; bit--) {
      r |= (c & 1) << bit;
      g |= ((c >> 1) & 1) << bit;
      b |= ((c >> 2) & 1) << bit;
      c >>= 3;
    }
    return new int[] {r, g, b};
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}

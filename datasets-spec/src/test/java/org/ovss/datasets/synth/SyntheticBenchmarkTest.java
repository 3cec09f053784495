package org.ovss.datasets.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.LabelMaps;
import org.ovss.datasets.Sample;

class SyntheticBenchmarkTest {
  /** Enough images that every class shows up many times, few enough to generate in about a second. */
  private static final SynthConfig CONFIG = new SynthConfig(300, 60, 96, 11);
  private static final int SHAPE_COUNT = SyntheticBenchmark.SHAPES.size();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;
  private static Path root;
  private static List<JsonNode> records;

  @TempDir
  Path dir;

  @BeforeAll
  static void generateOnce() throws IOException {
    root = shared.resolve("synth");
    SyntheticBenchmark.Summary summary = SyntheticBenchmark.generate(root, CONFIG);
    assertThat(summary.root()).isEqualTo(root);
    assertThat(summary.train()).isEqualTo(300);
    assertThat(summary.val()).isEqualTo(60);
    try (Stream<String> lines = Files.lines(root.resolve("captions.jsonl"))) {
      records = lines.map(SyntheticBenchmarkTest::json).toList();
    }
  }

  @Test
  void sameConfigGivesTheSameBytesWhateverTheThreadCount() throws IOException {
    SynthConfig small = new SynthConfig(24, 8, 96, 5);
    Map<String, byte[]> single = files(SyntheticBenchmark.generate(dir.resolve("one"), small, 1).root());
    Map<String, byte[]> three = files(SyntheticBenchmark.generate(dir.resolve("three"), small, 3).root());
    assertThat(single.keySet()).hasSize(3 * 32 + 4).isEqualTo(three.keySet());
    single.forEach((path, bytes) -> assertThat(three.get(path)).as(path).isEqualTo(bytes));

    Map<String, byte[]> otherSeed = files(SyntheticBenchmark.generate(dir.resolve("seed6"),
        new SynthConfig(24, 8, 96, 6), 2).root());
    assertThat(otherSeed.get("captions.jsonl")).isNotEqualTo(single.get("captions.jsonl"));
    assertThat(otherSeed.get("JPEGImages/val_000000.png")).isNotEqualTo(single.get("JPEGImages/val_000000.png"));
  }

  @Test
  void imagesDoNotDependOnHowManyAreGenerated() throws IOException {
    // A larger run holds the smaller run's images unchanged: training sets of different sizes nest.
    Path fewer = SyntheticBenchmark.generate(dir.resolve("fewer"), new SynthConfig(10, 3, 96, 11), 2).root();
    for (String id : List.of("train_000000", "train_000009", "val_000002")) {
      assertThat(Files.readAllBytes(fewer.resolve("JPEGImages/" + id + ".png")))
          .isEqualTo(Files.readAllBytes(root.resolve("JPEGImages/" + id + ".png")));
    }
  }

  @Test
  void everyShapeAndStuffClassAppearsOftenAndImagesHoldOneToFourShapes() {
    Map<String, Integer> shapes = new HashMap<>();
    Map<String, Integer> stuff = new HashMap<>();
    Map<Integer, Integer> objectCounts = new TreeMap<>();
    for (JsonNode r : records) {
      r.get("objects").forEach(o -> shapes.merge(o.get("shape").asText(), 1, Integer::sum));
      stuff.merge(r.get("stuff").asText(), 1, Integer::sum);
      objectCounts.merge(r.get("objects").size(), 1, Integer::sum);
    }
    // 360 images with about 2.2 shapes each: about 100 per shape class and 70 per stuff class.
    assertThat(shapes.keySet()).containsExactlyInAnyOrderElementsOf(SyntheticBenchmark.SHAPES);
    assertThat(shapes.values()).allSatisfy(n -> assertThat(n).isGreaterThan(40));
    assertThat(stuff.keySet()).containsExactlyInAnyOrderElementsOf(SyntheticBenchmark.STUFF);
    assertThat(stuff.values()).allSatisfy(n -> assertThat(n).isGreaterThan(30));
    assertThat(objectCounts.keySet()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void labelMapsHoldExactlyTheListedShapesOverTheStuff() throws IOException {
    for (JsonNode r : records) {
      String id = r.get("id").asText();
      int[] classes = indices(root.resolve("SegmentationClass/" + id + ".png"));
      int[] stuff = indices(root.resolve("SegmentationClassStuff/" + id + ".png"));
      int background = 1 + SHAPE_COUNT + SyntheticBenchmark.STUFF.indexOf(r.get("stuff").asText());
      int[] pixelsPerShape = new int[SHAPE_COUNT + 1];
      for (JsonNode o : r.get("objects")) {
        assertThat(o.get("pixels").asInt()).as("%s: every listed shape is visible", id).isPositive();
        pixelsPerShape[1 + SyntheticBenchmark.SHAPES.indexOf(o.get("shape").asText())] += o.get("pixels").asInt();
      }
      assertThat(Arrays.stream(classes).max().orElseThrow()).as(id).isLessThanOrEqualTo(SHAPE_COUNT);
      int[] counted = new int[SHAPE_COUNT + 1];
      int[] stuffExpected = new int[classes.length];
      for (int p = 0; p < classes.length; p++) {
        counted[classes[p]]++;
        stuffExpected[p] = classes[p] == 0 ? background : classes[p];
      }
      counted[0] = 0;
      assertThat(counted).as("%s: label pixels per shape class", id).isEqualTo(pixelsPerShape);
      assertThat(stuff).as("%s: stuff map = shapes over the background's stuff class", id).isEqualTo(stuffExpected);
    }
  }

  @Test
  void shapeInteriorsShowTheListedColourAndItsPatternShade() throws IOException {
    int checked = 0;
    for (JsonNode r : records.subList(0, 80)) {
      String id = r.get("id").asText();
      int[] classes = indices(root.resolve("SegmentationClass/" + id + ".png"));
      BufferedImage image = ImageIO.read(root.resolve("JPEGImages/" + id + ".png").toFile());
      int size = image.getWidth();
      Map<Integer, List<String>> coloursByValue = coloursByLabel(r);
      for (int y = 1; y < size - 1; y++) {
        for (int x = 1; x < size - 1; x++) {
          int value = classes[y * size + x];
          // Where two objects of one shape touch, a pixel may blend both colours: check shapes seen once only.
          if (value == 0 || coloursByValue.get(value).size() > 1 || !interior(classes, size, x, y)) {
            continue;
          }
          String colour = coloursByValue.get(value).get(0);
          int[] named = SceneRenderer.COLOUR_RGB[SyntheticBenchmark.COLOURS.indexOf(colour)];
          float[] base = {named[0], named[1], named[2]};
          // The surface pattern mixes the colour with a darker (bright colours) or lighter (dark ones) shade of it.
          float[] shade = Surfaces.shade(base, (float) Surfaces.MAX_CONTRAST);
          int rgb = image.getRGB(x, y);
          double distance = distanceToSegment(new double[] {rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255}, base, shade);
          // Jitter (12 per channel), shading (8% either way) and noise (3) stay well inside this.
          assertThat(distance).as("%s (%d, %d)", id, x, y).isLessThan(64);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(10_000);
  }

  @Test
  void everyShapeClassWearsASurfacePatternOfItsOwn() throws IOException {
    // Mean brightness step between neighbouring interior pixels, per shape class. Flat shapes (benchmark version 1)
    // stepped by about 3 (pixel noise and shading); the patterns step by far more, the speckle of stars the most.
    double[] steps = new double[SHAPE_COUNT];
    int[] pairs = new int[SHAPE_COUNT];
    for (JsonNode r : records) {
      String id = r.get("id").asText();
      int[] classes = indices(root.resolve("SegmentationClass/" + id + ".png"));
      BufferedImage image = ImageIO.read(root.resolve("JPEGImages/" + id + ".png").toFile());
      int size = image.getWidth();
      for (int y = 1; y < size - 1; y++) {
        for (int x = 1; x < size - 2; x++) {
          int value = classes[y * size + x];
          if (value == 0 || !interior(classes, size, x, y) || !interior(classes, size, x + 1, y)
              || classes[y * size + x + 1] != value) {
            continue;
          }
          steps[value - 1] += Math.abs(brightness(image.getRGB(x, y)) - brightness(image.getRGB(x + 1, y)));
          pairs[value - 1]++;
        }
      }
    }
    for (int k = 0; k < SHAPE_COUNT; k++) {
      steps[k] /= pairs[k];
      assertThat(pairs[k]).as(SyntheticBenchmark.SHAPES.get(k)).isGreaterThan(2000);
      assertThat(steps[k]).as("brightness step inside %s", SyntheticBenchmark.SHAPES.get(k)).isGreaterThan(6);
    }
    int star = SyntheticBenchmark.SHAPES.indexOf("star");
    for (int k = 0; k < SHAPE_COUNT; k++) {
      if (k != star) {
        assertThat(steps[star]).as("speckle steps more than %s", SyntheticBenchmark.SHAPES.get(k)).isGreaterThan(steps[k]);
      }
    }
  }

  @Test
  void everyObjectOfAClassWearsItsPatternInTheFamilysDirection() {
    // Version 3: the stripes of triangles keep their family's direction (0, within 0.1 rad) on every object, so they
    // change far more across the image than down it, in every draw; version 2 turned each object's stripes any way.
    for (long seed = 0; seed < 40; seed++) {
      Surfaces.Pattern stripes = Surfaces.pattern(Shapes.TRIANGLE, new java.util.SplittableRandom(seed), 1f, 96, 96);
      double alongX = 0;
      double alongY = 0;
      for (int y = 10; y < 70; y++) {
        for (int x = 10; x < 70; x++) {
          alongX += Math.abs(stripes.at(x + 1, y) - stripes.at(x, y));
          alongY += Math.abs(stripes.at(x, y + 1) - stripes.at(x, y));
        }
      }
      assertThat(alongX).as("stripes of draw %d", seed).isGreaterThan(4 * alongY);
    }
  }

  @Test
  void metadataRecordsTheBenchmarkVersionThatResultsCarry() throws IOException {
    JsonNode metadata = JSON.readTree(root.resolve("synth.json").toFile());
    assertThat(metadata.get("version").asInt()).isEqualTo(3);
    assertThat(SyntheticBenchmark.datasetVersion(root)).contains("ovss-synth/3");
    assertThat(SyntheticBenchmark.holds(root, CONFIG)).isTrue();
    assertThat(SyntheticBenchmark.holds(root, new SynthConfig(300, 60, 96, 12))).as("another seed").isFalse();
    assertThat(SyntheticBenchmark.holds(root, new SynthConfig(300, 50, 96, 11))).as("another size").isFalse();
    assertThat(SyntheticBenchmark.datasetVersion(dir)).as("not a generated benchmark").isEmpty();

    // A benchmark of version 2 (patterns turned any way) is recognised as such and is not taken for the current one.
    Path old = SyntheticBenchmark.generate(dir.resolve("old"), new SynthConfig(2, 1, 96, 3)).root();
    Path file = old.resolve("synth.json");
    Files.writeString(file, Files.readString(file).replace("\"version\" : 3", "\"version\" : 2"));
    assertThat(SyntheticBenchmark.datasetVersion(old)).contains("ovss-synth/2");
    assertThat(SyntheticBenchmark.holds(old, new SynthConfig(2, 1, 96, 3))).isFalse();
  }

  @Test
  void captionsNameOnlyShapesTheImageShowsAndMostlyTheRightColours() {
    Pattern words = Pattern.compile("[a-z]+");
    Set<String> colourWords = new HashSet<>(SyntheticBenchmark.COLOURS);
    int captions = 0;
    int namingAShape = 0;
    int leavingAShapeOut = 0;
    int colourPairs = 0;
    int wrongColours = 0;
    for (JsonNode r : records) {
      Set<String> present = new HashSet<>();
      Set<String> paintedAs = new HashSet<>();
      for (JsonNode o : r.get("objects")) {
        present.add(o.get("shape").asText());
        paintedAs.add(o.get("colour").asText() + " " + o.get("shape").asText());
      }
      assertThat(r.get("captions").size()).isEqualTo(Captions.PER_IMAGE);
      for (JsonNode c : r.get("captions")) {
        captions++;
        Matcher m = words.matcher(c.asText().toLowerCase());
        List<String> tokens = new ArrayList<>();
        while (m.find()) {
          tokens.add(singular(m.group()));
        }
        Set<String> named = tokens.stream().filter(SyntheticBenchmark.SHAPES::contains).collect(Collectors.toSet());
        assertThat(present).as("%s: %s", r.get("id"), c).containsAll(named);
        namingAShape += named.isEmpty() ? 0 : 1;
        leavingAShapeOut += named.size() < present.size() ? 1 : 0;
        for (int i = 0; i + 1 < tokens.size(); i++) {
          if (colourWords.contains(tokens.get(i)) && present.contains(tokens.get(i + 1))) {
            colourPairs++;
            wrongColours += paintedAs.contains(tokens.get(i) + " " + tokens.get(i + 1)) ? 0 : 1;
          }
        }
      }
    }
    assertThat(namingAShape).isGreaterThan(captions * 9 / 10);
    assertThat(leavingAShapeOut).isBetween(captions / 10, captions / 2);
    // About 3% wrong colour words (Captions.WRONG_COLOUR), over about 1800 colour-shape pairs.
    assertThat(colourPairs).isGreaterThan(1000);
    assertThat((double) wrongColours / colourPairs).isBetween(0.005, 0.07);
  }

  @Test
  void writesTheVocLayoutThatEverySpecReads() throws IOException {
    List<String> train = Files.readAllLines(root.resolve("ImageSets/Segmentation/train.txt"));
    List<String> val = Files.readAllLines(root.resolve("ImageSets/Segmentation/val.txt"));
    assertThat(train).hasSize(300).startsWith("train_000000").endsWith("train_000299");
    assertThat(val).hasSize(60).startsWith("val_000000");
    for (String id : Stream.concat(train.stream(), val.stream()).toList()) {
      for (String dirName : List.of("JPEGImages", "SegmentationClass", "SegmentationClassStuff")) {
        assertThat(root.resolve(dirName + "/" + id + ".png")).isRegularFile();
      }
    }
    assertThat(records).extracting(r -> r.get("id").asText())
        .containsExactlyElementsOf(Stream.concat(train.stream(), val.stream()).toList());

    JsonNode metadata = JSON.readTree(root.resolve("synth.json").toFile());
    assertThat(metadata.get("generator").asText()).isEqualTo("ovss-synth");
    assertThat(metadata.get("config").get("seed").asLong()).isEqualTo(11);
    assertThat(metadata.get("shapes")).hasSize(SHAPE_COUNT);

    for (String name : SyntheticBenchmark.SPECS) {
      DatasetSpec spec = SynthSpecsTest.spec(name);
      DatasetIndex index = DatasetIndex.open(spec, root);
      assertThat(index.samples()).extracting(Sample::id).containsExactlyElementsOf(val);
      Set<Integer> seen = new HashSet<>();
      for (Sample s : index.samples()) {
        Arrays.stream(LabelMaps.read(s.label(), spec, 96, 96)).forEach(seen::add);
      }
      Set<Integer> expected = new HashSet<>();
      for (int k = 0; k < spec.classCount(); k++) {
        expected.add(k);
      }
      if (name.equals("synth-shapes")) {
        expected.add(255); // the background, ignored
      }
      assertThat(seen).as(name).isEqualTo(expected);
    }
  }

  @Test
  void readCaptionsGivesTheTrainingView() {
    List<SyntheticBenchmark.CaptionRecord> read = SyntheticBenchmark.readCaptions(root);
    assertThat(read).hasSize(360);
    SyntheticBenchmark.CaptionRecord first = read.get(0);
    JsonNode line = records.get(0);
    assertThat(first.id()).isEqualTo("train_000000");
    assertThat(first.split()).isEqualTo("train");
    List<String> captions = new ArrayList<>();
    line.get("captions").forEach(c -> captions.add(c.asText()));
    assertThat(first.captions()).hasSize(Captions.PER_IMAGE).isEqualTo(captions);
    assertThat(first.shapes()).hasSize(line.get("objects").size());
    assertThat(first.stuff()).isEqualTo(line.get("stuff").asText());
    assertThat(read.get(300).split()).isEqualTo("val");
  }

  @Test
  void readCaptionsNamesWhatIsWrong() throws IOException {
    assertThatThrownBy(() -> SyntheticBenchmark.readCaptions(dir)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("captions.jsonl not found");
    Files.writeString(dir.resolve("captions.jsonl"),
        "{\"id\":\"a\",\"split\":\"train\",\"captions\":[\"x\"],\"objects\":[],\"stuff\":\"sky\"}\n{\"id\":\"b\"}\n");
    assertThatThrownBy(() -> SyntheticBenchmark.readCaptions(dir)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 2").hasMessageContaining("'captions'");
  }

  @Test
  void refusesToOverwriteADirectoryItDidNotWrite() throws IOException {
    Files.writeString(dir.resolve("thesis.tex"), "precious");
    assertThatThrownBy(() -> SyntheticBenchmark.generate(dir, new SynthConfig(2, 1, 96, 0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not empty").hasMessageContaining(dir.toString());
    assertThat(dir.resolve("thesis.tex")).hasContent("precious");
    assertThat(dir.resolve("JPEGImages")).doesNotExist();

    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(() -> SyntheticBenchmark.generate(file, new SynthConfig(2, 1, 96, 0)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("is a file");
  }

  @Test
  void rerunReplacesAnEarlierOutputEntirely() throws IOException {
    Path out = dir.resolve("again");
    SyntheticBenchmark.generate(out, new SynthConfig(6, 2, 96, 1), 2);
    Files.writeString(out.resolve("notes.txt"), "mine");
    SyntheticBenchmark.generate(out, new SynthConfig(3, 1, 96, 2), 2);
    try (Stream<Path> images = Files.list(out.resolve("JPEGImages"))) {
      assertThat(images.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("train_000000.png", "train_000001.png", "train_000002.png", "val_000000.png");
    }
    assertThat(SyntheticBenchmark.readCaptions(out)).hasSize(4);
    assertThat(out.resolve("notes.txt")).hasContent("mine");
  }

  private static Map<Integer, List<String>> coloursByLabel(JsonNode r) {
    Map<Integer, List<String>> coloursByValue = new HashMap<>();
    r.get("objects").forEach(o -> coloursByValue.computeIfAbsent(
        1 + SyntheticBenchmark.SHAPES.indexOf(o.get("shape").asText()), k -> new ArrayList<>())
        .add(o.get("colour").asText()));
    return coloursByValue;
  }

  /** Euclidean distance from {@code p} to the segment from {@code a} to {@code b}. */
  private static double distanceToSegment(double[] p, float[] a, float[] b) {
    double along = 0;
    double length2 = 0;
    for (int c = 0; c < 3; c++) {
      along += (p[c] - a[c]) * (b[c] - a[c]);
      length2 += square(b[c] - a[c]);
    }
    double t = Math.max(0, Math.min(1, along / length2));
    double d2 = 0;
    for (int c = 0; c < 3; c++) {
      d2 += square(p[c] - (a[c] + t * (b[c] - a[c])));
    }
    return Math.sqrt(d2);
  }

  private static double brightness(int rgb) {
    return ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255)) / 3.0;
  }

  private static boolean interior(int[] labels, int size, int x, int y) {
    int value = labels[y * size + x];
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        if (labels[(y + dy) * size + x + dx] != value) {
          return false;
        }
      }
    }
    return true;
  }

  /** Label indices straight from the raster: the palette is for display only. */
  private static int[] indices(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    return image.getRaster().getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
  }

  private static String singular(String word) {
    if (word.endsWith("es") && SyntheticBenchmark.SHAPES.contains(word.substring(0, word.length() - 2))) {
      return word.substring(0, word.length() - 2);
    }
    if (word.endsWith("s") && SyntheticBenchmark.SHAPES.contains(word.substring(0, word.length() - 1))) {
      return word.substring(0, word.length() - 1);
    }
    return word;
  }

  private static double square(double v) {
    return v * v;
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return files;
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

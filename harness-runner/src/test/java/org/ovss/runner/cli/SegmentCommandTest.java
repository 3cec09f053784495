package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;

/**
 * {@code ovss segment} end to end with SCLIP on the tiny CLIP: files per image, a corrupt input named and skipped,
 * and label maps byte-equal to what {@code ovss eval --save-predictions} writes for the same images, classes and
 * protocol.
 */
class SegmentCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  private static final String[] IDS = {"a", "b", "c"};
  private static final int[][] SIZES = {{40, 52}, {37, 61}, {64, 30}};
  private static final String[] PROTOCOL = {"--short-side", "48", "--crop", "32", "--stride", "16",
      "--prompts", "a-photo-of"};

  private Path weights;
  private Path images;

  @BeforeEach
  void inputs() throws Exception {
    weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    images = Files.createDirectories(dir.resolve("photos"));
    Random random = new Random(3);
    for (int i = 0; i < IDS.length; i++) {
      int h = SIZES[i][0];
      int w = SIZES[i][1];
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          boolean blob = (x - w / 2) * (x - w / 2) + (y - h / 3) * (y - h / 3) < h * h / 9;
          int r = blob ? 220 : 30 + random.nextInt(40);
          img.setRGB(x, y, (r << 16) | ((blob ? 60 : 150 + random.nextInt(60)) << 8) | (x * 4 % 256));
        }
      }
      ImageIO.write(img, "jpg", images.resolve(IDS[i] + ".jpg").toFile());
    }
  }

  private String[] segment(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("segment", "--method", "sclip", "--weights", weights.toString(),
        "--out", out.toString()));
    args.addAll(List.of(PROTOCOL));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void writesLabelMapOverlayAndJsonPerImageAndNamesTheCorruptOne() throws Exception {
    Path broken = images.resolve("broken.jpg");
    Files.write(broken, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x13, 0x37});
    Path out = dir.resolve("out");
    int code = Main.execute(segment(out, "--classes", "cat,dog;puppy,grass", "--html", images.toString()));
    assertThat(code).as(console.err()).isEqualTo(1);
    assertThat(console.err()).contains("error: ").contains(broken.toString());
    assertThat(console.out()).contains("1 image(s) could not be read").contains(broken.toString());
    for (int i = 0; i < IDS.length; i++) {
      BufferedImage label = ImageIO.read(out.resolve(IDS[i] + ".png").toFile());
      assertThat(label.getHeight()).isEqualTo(SIZES[i][0]);
      assertThat(label.getWidth()).isEqualTo(SIZES[i][1]);
      int[] values = label.getRaster().getSamples(0, 0, label.getWidth(), label.getHeight(), 0, (int[]) null);
      long[] counts = new long[3];
      for (int v : values) {
        assertThat(v).isBetween(0, 2);
        counts[v]++;
      }
      BufferedImage overlay = ImageIO.read(out.resolve(IDS[i] + ".overlay.png").toFile());
      assertThat(overlay.getWidth()).isGreaterThanOrEqualTo(SIZES[i][1]);
      assertThat(overlay.getHeight()).as("image plus legend").isGreaterThan(SIZES[i][0]);
      JsonNode json = new ObjectMapper().readTree(out.resolve(IDS[i] + ".json").toFile());
      assertThat(json.get("height").asInt()).isEqualTo(SIZES[i][0]);
      assertThat(json.get("vocabulary").get(1).get("queries").toString()).isEqualTo("[\"dog\",\"puppy\"]");
      double shares = 0;
      for (JsonNode c : json.get("classes")) {
        int k = c.get("index").asInt();
        assertThat(c.get("pixels").asLong()).isEqualTo(counts[k]);
        assertThat(c.get("share").asDouble()).isCloseTo((double) counts[k] / values.length,
            org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.get("meanConfidence").asDouble()).isGreaterThan(1.0 / 3 - 1e-6).isLessThanOrEqualTo(1.0);
        shares += c.get("share").asDouble();
      }
      assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(json.get("classes").size()).isEqualTo((int) java.util.Arrays.stream(counts).filter(n -> n > 0).count());
    }
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("broken"))).isEmpty();
    }
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html.split("class=\"overlay\"", -1)).hasSize(4);
    assertThat(html).contains("class=\"error\"").contains("broken.jpg").contains("../photos/a.jpg");
  }

  @Test
  void labelMapsEqualEvalSavePredictions() throws Exception {
    assertSameAsEval("cat,dog;puppy,grass", null, List.of());
  }

  @Test
  void withBackgroundAndThresholdLabelMapsEqualEvalSavePredictions() throws Exception {
    assertSameAsEval("cat,dog;puppy,grass", "sky,wall", List.of("--prob-thd", "0.4"));
  }

  @Test
  void withPamrAndAreaThresholdLabelMapsEqualEvalSavePredictions() throws Exception {
    assertSameAsEval("cat,dog;puppy,grass", "sky", List.of("--prob-thd", "0.3", "--area-thd", "0.2", "--pamr", "2:1,2"));
  }

  @Test
  void thresholdWithoutBackgroundIsRefused() throws Exception {
    int code = Main.execute(segment(dir.resolve("o"), "--classes", "cat,dog", "--prob-thd", "0.5", images.toString()));
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains("add --background");
  }

  /**
   * Evaluates the images as a one-off dataset whose spec file holds the same classes (and the colours segment
   * uses: VOC's map, background black) and compares the saved predictions with segment's label maps byte for byte.
   */
  private void assertSameAsEval(String classes, String background, List<String> extra) throws Exception {
    Path out = dir.resolve("seg");
    List<String> args = new ArrayList<>(List.of(segment(out, "--classes", classes)));
    if (background != null) {
      args.add("--background=" + background);
    }
    args.addAll(extra);
    args.add(images.toString());
    assertThat(Main.execute(args.toArray(String[]::new))).as(console.err()).isZero();

    Path root = dir.resolve("mine");
    Files.createDirectories(root.resolve("img"));
    Files.createDirectories(root.resolve("ann"));
    for (int i = 0; i < IDS.length; i++) {
      Files.copy(images.resolve(IDS[i] + ".jpg"), root.resolve("img/" + IDS[i] + ".jpg"));
      BufferedImage label = new BufferedImage(SIZES[i][1], SIZES[i][0], BufferedImage.TYPE_BYTE_GRAY);
      ImageIO.write(label, "png", root.resolve("ann/" + IDS[i] + ".png").toFile());
    }
    String cls = "{\"name\": \"cat\"}, {\"name\": \"dog\", \"queries\": [\"dog\", \"puppy\"]}, {\"name\": \"grass\"}";
    String palette = "[128, 0, 0], [0, 128, 0], [128, 128, 0]";
    if (background != null) {
      cls = "{\"name\": \"background\", \"queries\": [\"" + String.join("\", \"", background.split(","))
          + "\"]}, " + cls;
      palette = "[0, 0, 0], " + palette;
    }
    Path spec = root.resolve("spec.json");
    Files.writeString(spec, "{\"name\": \"mine\", \"classes\": [" + cls + "], \"palette\": [" + palette + "],"
        + " \"hasBackground\": " + (background != null) + ","
        + " \"layout\": {\"imageDir\": \"img\", \"imageSuffix\": \".jpg\", \"labelDir\": \"ann\", \"labelSuffix\": \".png\"}}");
    Path evalOut = dir.resolve("eval");
    List<String> eval = new ArrayList<>(List.of("eval", "--method", "sclip", "--weights", weights.toString(),
        "--dataset", spec.toString(), "--data-root", root.toString(), "--out", evalOut.toString(),
        "--save-predictions"));
    eval.addAll(List.of(PROTOCOL));
    eval.addAll(extra);
    assertThat(Main.execute(eval.toArray(String[]::new))).as(console.err()).isZero();
    List<Integer> distinct = new ArrayList<>();
    for (String id : IDS) {
      byte[] fromEval = Files.readAllBytes(evalOut.resolve("predictions/" + id + ".png"));
      assertThat(Files.readAllBytes(out.resolve(id + ".png"))).as(id).isEqualTo(fromEval);
      BufferedImage label = ImageIO.read(out.resolve(id + ".png").toFile());
      label.getRaster().getSamples(0, 0, label.getWidth(), label.getHeight(), 0, (int[]) null);
      for (int v : label.getRaster().getSamples(0, 0, label.getWidth(), label.getHeight(), 0, (int[]) null)) {
        if (!distinct.contains(v)) {
          distinct.add(v);
        }
      }
    }
    assertThat(distinct).as("a comparison of constant maps would prove little").hasSizeGreaterThan(1);
  }
}

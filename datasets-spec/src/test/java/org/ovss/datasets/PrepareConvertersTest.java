package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

/**
 * {@code ovss prepare} converters on raw files written here in the official raw formats, against label maps worked
 * out by hand: COCO-Stuff164k raw maps, Cityscapes polygon JSON, the Detail API's JSON with COCO RLE masks (encoded
 * here by the test's own encoder). Each also resumes without rewriting a finished output and refuses raw ids it does
 * not know, naming the file.
 */
class PrepareConvertersTest {
  @TempDir Path dir;

  /** The values of a written grey label map, read back without any label rule. */
  private static int[] values(Path png) {
    return LabelMaps.readIndices(png).values();
  }

  // ---- COCO-Stuff164k ----

  @Test
  void cocoStuffWritesBesideRawMapsAndResumesWithoutRewriting() throws Exception {
    Path train = dir.resolve("annotations/train2017");
    TestImages.greyPng(train.resolve("000000000009.png"), new int[] {0, 10, 12, 89, 91, 181, 255, 0}, 2, 4, false);
    TestImages.greyPng(train.resolve("000000000025.png"), new int[] {24, 26}, 1, 2, false);
    List<int[]> seen = new ArrayList<>();
    Conversions.Report first = CocoStuffConverter.convertDirectory(dir.resolve("annotations"),
        (done, total) -> seen.add(new int[] {done, total}));
    assertThat(first.written()).isEqualTo(2);
    assertThat(seen.get(seen.size() - 1)).containsExactly(2, 2);
    assertThat(values(train.resolve("000000000009_labelTrainIds.png"))).containsExactly(0, 10, 11, 79, 80, 170, 255, 0);
    assertThat(values(train.resolve("000000000025_labelTrainIds.png"))).containsExactly(23, 24);

    Path out = train.resolve("000000000025_labelTrainIds.png");
    long modified = Files.getLastModifiedTime(out).toMillis();
    Files.delete(train.resolve("000000000009_labelTrainIds.png"));
    Files.writeString(train.resolve(".000000000009_labelTrainIds.png.0a1b2c3d-0000-4000-8000-00000000abcd.tmp"), "x");
    Conversions.Report second = CocoStuffConverter.convertDirectory(dir.resolve("annotations"), Conversions.Progress.NONE);
    assertThat(second.written()).isEqualTo(1);
    assertThat(second.skipped()).isEqualTo(1);
    assertThat(Files.getLastModifiedTime(out).toMillis()).isEqualTo(modified);
    assertThat(values(train.resolve("000000000009_labelTrainIds.png"))).containsExactly(0, 10, 11, 79, 80, 170, 255, 0);
    try (var files = Files.list(train)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void cocoStuffRefusesIdsItDoesNotKnowNamingTheFile() {
    Path raw = dir.resolve("annotations/val2017/000000000632.png");
    TestImages.greyPng(raw, new int[] {0, 5, 90, 1}, 2, 2, false);
    assertThatThrownBy(() -> CocoStuffConverter.convertDirectory(dir.resolve("annotations"), Conversions.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(raw.toString())
        .hasMessageContaining("value 90 at row 1, column 0");
    assertThat(raw.resolveSibling("000000000632_labelTrainIds.png")).doesNotExist();
  }

  // ---- Cityscapes ----

  private Path cityscapesJson(String name, String objects) throws Exception {
    Path json = dir.resolve("gtFine/val/frankfurt/" + name + "_gtFine_polygons.json");
    Files.createDirectories(json.getParent());
    Files.writeString(json, "{\"imgHeight\": 6, \"imgWidth\": 8, \"objects\": [" + objects + "]}");
    return json;
  }

  @Test
  void cityscapesPolygonsAreDrawnInFileOrderWithTrainIds() throws Exception {
    cityscapesJson("frankfurt_000000_000294", String.join(",",
        "{\"label\": \"sky\", \"deleted\": 1, \"polygon\": [[0,0],[7,0],[7,5],[0,5]]}",
        "{\"label\": \"road\", \"polygon\": [[0,3],[7,3],[7,5],[0,5]]}",
        "{\"label\": \"cargroup\", \"polygon\": [[1,0],[3,0],[3,2],[1,2]]}",
        "{\"label\": \"person\", \"polygon\": [[5,0],[6,0],[6,1],[5,1]]}",
        "{\"label\": \"license plate\", \"polygon\": [[0,0],[7,0],[7,5],[0,5]]}",
        "{\"label\": \"sky\", \"polygon\": [[6,4],[7,4],[7,5],[6,5]]}",
        "{\"label\": \"traffic sign\", \"polygon\": [[0,0],[0,2],[2,2]]}"));
    Conversions.Report r = CityscapesConverter.convertDirectory(dir.resolve("gtFine"), Conversions.Progress.NONE);
    assertThat(r.written()).isEqualTo(1);
    int u = 255;
    // Polygons include their edges (Pillow fills every pixel centre on or inside the outline): the deleted sky and
    // the license plate (id -1) draw nothing, cargroup is car (13), later polygons cover earlier ones.
    assertThat(values(dir.resolve("gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelTrainIds.png")))
        .containsExactly(
            7, 13, 13, 13, u, 11, 11, u,
            7, 7, 13, 13, u, 11, 11, u,
            7, 7, 7, 13, u, u, u, u,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 10, 10,
            0, 0, 0, 0, 0, 0, 10, 10);
  }

  @Test
  void cityscapesRefusesUnknownLabelsNamingFileAndLabel() throws Exception {
    Path json = cityscapesJson("frankfurt_000000_000576", "{\"label\": \"hovercraft\", \"polygon\": [[0,0],[2,0],[2,2]]}");
    assertThatThrownBy(() -> CityscapesConverter.convertDirectory(dir.resolve("gtFine"), Conversions.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(json.toString())
        .hasMessageContaining("'hovercraft'");
  }

  @Test
  void cityscapesResumesWithoutRewritingFinishedMaps() throws Exception {
    cityscapesJson("frankfurt_000000_000294", "{\"label\": \"road\", \"polygon\": [[0,0],[7,0],[7,5],[0,5]]}");
    Path done = dir.resolve("gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelTrainIds.png");
    TestImages.greyPng(done, new int[] {9}, 1, 1, false);
    Conversions.Report r = CityscapesConverter.convertDirectory(dir.resolve("gtFine"), Conversions.Progress.NONE);
    assertThat(r.skipped()).isEqualTo(1);
    assertThat(values(done)).containsExactly(9);
  }

  // ---- PASCAL Context ----

  /** COCO's compressed RLE of a row-major mask (the test's own encoder, after maskApi.c rleEncode/rleToString). */
  static String rle(boolean[] mask, int h, int w) {
    List<Long> counts = new ArrayList<>();
    boolean value = false;
    long run = 0;
    for (int col = 0; col < w; col++) {
      for (int row = 0; row < h; row++) {
        boolean v = mask[row * w + col];
        if (v != value) {
          counts.add(run);
          run = 0;
          value = v;
        }
        run++;
      }
    }
    counts.add(run);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < counts.size(); i++) {
      long x = counts.get(i);
      if (i > 2) {
        x -= counts.get(i - 2);
      }
      boolean more = true;
      while (more) {
        long c = x & 0x1f;
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        s.append((char) (c + 48));
      }
    }
    return s.toString();
  }

  private static boolean[] mask(int h, int w, int... rowColPairs) {
    boolean[] m = new boolean[h * w];
    for (int i = 0; i < rowColPairs.length; i += 2) {
      m[rowColPairs[i] * w + rowColPairs[i + 1]] = true;
    }
    return m;
  }

  private static String segment(int id, int image, int category, boolean[] m, int h, int w) {
    return "{\"id\": " + id + ", \"image_id\": " + image + ", \"category_id\": " + category + ", \"iscrowd\": 0,"
        + " \"segmentation\": {\"size\": [" + h + ", " + w + "], \"counts\": \"" + rle(m, h, w).replace("\\", "\\\\")
        + "\"}}";
  }

  @Test
  void cocoRleRoundTripsThroughTheTestEncoder() {
    java.util.Random random = new java.util.Random(4);
    for (int t = 0; t < 200; t++) {
      int h = 1 + random.nextInt(40);
      int w = 1 + random.nextInt(40);
      boolean[] m = new boolean[h * w];
      double p = random.nextDouble();
      for (int i = 0; i < m.length; i++) {
        m[i] = random.nextDouble() < p;
      }
      assertThat(CocoRle.decode(rle(m, h, w), h, w, "test")).containsExactly(m);
    }
  }

  @Test
  void contextLabelsAreRanksOfDetailCategoryIdsDrawnInAnnotationOrder() throws Exception {
    Path json = dir.resolve("trainval_merged.json");
    // Image 1 (val, 4 x 3): aeroplane (Detail id 2 -> label 1) on the top two rows, then wood (458 -> 59) over its
    // right column; image 2 (train, 2 x 2): cat (23 -> 6) on the diagonal; image 3 is a test image (no output).
    String segs = String.join(",",
        segment(10, 1, 2, mask(4, 3, 0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 2), 4, 3),
        segment(11, 1, 458, mask(4, 3, 0, 2, 1, 2, 2, 2, 3, 2), 4, 3),
        segment(12, 2, 23, mask(2, 2, 0, 0, 1, 1), 2, 2));
    Files.writeString(json, "{\"info\": {\"year\": 2014}, \"images\": ["
        + "{\"image_id\": 1, \"file_name\": \"2008_000002.jpg\", \"height\": 4, \"width\": 3, \"phase\": \"val\"},"
        + "{\"image_id\": 2, \"file_name\": \"2008_000001.jpg\", \"height\": 2, \"width\": 2, \"phase\": \"train\"},"
        + "{\"image_id\": 3, \"file_name\": \"2008_000003.jpg\", \"height\": 2, \"width\": 2, \"phase\": \"test\"}],"
        + " \"categories\": [{\"category_id\": 2, \"name\": \"aeroplane\"}], \"annos_segmentation\": [" + segs + "],"
        + " \"annos_occlusion\": [], \"annos_boundary\": [], \"parts\": []}", StandardCharsets.UTF_8);
    Path voc = dir.resolve("VOC2010");
    Conversions.Report r = PascalContextConverter.convert(json, voc, Conversions.Progress.NONE);
    assertThat(r.written()).isEqualTo(2);
    assertThat(values(voc.resolve("SegmentationClassContext/2008_000002.png")))
        .containsExactly(1, 1, 59, 1, 1, 59, 0, 0, 59, 0, 0, 59);
    assertThat(values(voc.resolve("SegmentationClassContext/2008_000001.png"))).containsExactly(6, 0, 0, 6);
    assertThat(voc.resolve("SegmentationClassContext/2008_000003.png")).doesNotExist();
    assertThat(Files.readString(voc.resolve("ImageSets/SegmentationContext/val.txt"))).isEqualTo("2008_000002\n");
    assertThat(Files.readString(voc.resolve("ImageSets/SegmentationContext/train.txt"))).isEqualTo("2008_000001\n");
    // Context-59 reads the same files with reduce_zero_label: 0 -> ignore, k -> k - 1.
    assertThat(LabelMaps.read(voc.resolve("SegmentationClassContext/2008_000001.png"), DatasetSpecs.get("context59"), 2, 2))
        .containsExactly(5, 255, 255, 5);

    Conversions.Report again = PascalContextConverter.convert(json, voc, Conversions.Progress.NONE);
    assertThat(again.written()).isZero();
    assertThat(again.skipped()).isEqualTo(2);
  }

  @Test
  void contextRefusesCategoryIdsOutsideTheSixtyNamingFileAndImage() throws Exception {
    Path json = dir.resolve("trainval_merged.json");
    Files.writeString(json, "{\"images\": [{\"image_id\": 7, \"file_name\": \"2010_000007.jpg\", \"height\": 2,"
        + " \"width\": 2, \"phase\": \"val\"}], \"annos_segmentation\": [" + segment(1, 7, 3, mask(2, 2, 1, 1), 2, 2)
        + "]}");
    assertThatThrownBy(() -> PascalContextConverter.convert(json, dir.resolve("VOC2010"), Conversions.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(json.toString())
        .hasMessageContaining("2010_000007.jpg")
        .hasMessageContaining("category id 3 at row 1, column 1");
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ovss datasets check}, the check {@code ovss eval} runs first, and {@code ovss prepare} from the command line. */
class DatasetsCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  private Path root() throws Exception {
    return EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("2007_000001", "2007_000002", "2007_000003"), 20, 24);
  }

  /** Puts value 99 into one pixel of a label map. */
  private static Path spoil(Path root, String id) throws Exception {
    Path label = root.resolve("SegmentationClass/" + id + ".png");
    BufferedImage in = ImageIO.read(label.toFile());
    BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
        (IndexColorModel) in.getColorModel());
    out.setData(in.getRaster());
    out.getRaster().setSample(5, 3, 0, 99);
    ImageIO.write(out, "png", label.toFile());
    return label.toAbsolutePath().normalize();
  }

  @Test
  void correctRootExitsZeroWithTheHistogram() throws Exception {
    Path root = root();
    assertThat(Main.execute("datasets", "check", "voc21", "--data-root", root.toString())).as(console.err()).isZero();
    assertThat(console.out()).contains("3 samples (official val split: 1449)").contains("split sha256 ")
        .contains("pixels per class:").containsPattern("  0 background +[0-9,]+ ")
        .contains("note: the split lists 3 samples").contains("class(es) never occur").contains("no problems found");
  }

  @Test
  void aValue99IsNamedWithItsFileAndEvalRefusesBeforeRunning() throws Exception {
    Path root = root();
    Path bad = spoil(root, "2007_000003");
    assertThat(Main.execute("datasets", "check", "voc21", "--data-root", root.toString())).isEqualTo(1);
    assertThat(console.out()).contains("problem: label map " + bad + " has value 99 at row 3, column 5");

    console.reset();
    Path weights = org.ovss.clip.model.ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    int code = Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", dir.resolve("run").toString(), "--short-side", "48", "--crop", "32",
        "--stride", "16", "--prompts", "a-photo-of");
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains(bad.toString()).contains("value 99").contains("checked before the run");
    assertThat(dir.resolve("run/results.json")).doesNotExist();
    assertThat(dir.resolve("run/checkpoint.json")).doesNotExist();
  }

  @Test
  void prepareCityscapesResumesAndContextNeedsItsJson() throws Exception {
    Path json = dir.resolve("cityscapes/gtFine/val/lindau/lindau_000000_000019_gtFine_polygons.json");
    Files.createDirectories(json.getParent());
    Files.writeString(json, "{\"imgHeight\": 3, \"imgWidth\": 4, \"objects\": ["
        + "{\"label\": \"road\", \"polygon\": [[0,1],[3,1],[3,2],[0,2]]}]}");
    assertThat(Main.execute("prepare", "cityscapes", "--data-root", dir.resolve("cityscapes").toString()))
        .as(console.err()).isZero();
    assertThat(console.out()).contains("wrote 1 Cityscapes label maps");
    BufferedImage out = ImageIO.read(json.resolveSibling("lindau_000000_000019_gtFine_labelTrainIds.png").toFile());
    assertThat(out.getRaster().getSamples(0, 0, 4, 3, 0, (int[]) null))
        .containsExactly(255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0);
    console.reset();
    assertThat(Main.execute("prepare", "cityscapes", "--data-root", dir.resolve("cityscapes").toString())).isZero();
    assertThat(console.out()).contains("wrote 0 Cityscapes label maps").contains("1 finished before were kept");

    Files.createDirectories(dir.resolve("VOC2010"));
    assertThat(Main.execute("prepare", "context59", "--data-root", dir.resolve("VOC2010").toString())).isEqualTo(2);
    assertThat(console.err()).contains("trainval_merged.json");
  }
}

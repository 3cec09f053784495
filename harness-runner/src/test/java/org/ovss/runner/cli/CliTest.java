package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.model.ClipPresets;

class CliTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void methodsListsEachPluginWithCapabilitiesAndPaper() {
    assertThat(Main.execute("methods")).isZero();
    String text = console.out();
    assertThat(text).containsPattern("(?m)^clip\\s+.*ENCODE,ONNXRUNTIME,SEGMENT");
    assertThat(text).containsPattern("(?m)^maskclip\\s+.*ENCODE,ONNXRUNTIME,SEGMENT");
    assertThat(text).containsPattern("(?m)^sclip\\s+.*ENCODE,ONNXRUNTIME,SEGMENT\\s+sclip\\s+sclip-2024\\s+.*built in$");
    // each cited paper once, by authors, title, venue, year and arXiv id; never a seed file of the project
    assertThat(text).containsPattern("(?m)^  sclip-2024\\s+Wang, Mei, Yuille\\. SCLIP: Rethinking Self-Attention for Dense"
        + " Vision-Language Inference\\. ECCV 2024 \\(arXiv:2312\\.01597\\)$");
    assertThat(text).contains("Mukhoti et al. Open Vocabulary Semantic Segmentation with Patch Aligned Contrastive"
        + " Learning. CVPR 2023 (arXiv:2212.04994)");
    assertThat(text).doesNotContainPattern("(?i)seed \\d|(shared|notes|seeds)[/]");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"methods", "encode", "eval", "prepare", "synth", "train", "demo"}) {
      console.reset();
      assertThat(Main.execute(command, "--help")).isZero();
      assertThat(console.out()).contains("Usage: ovss " + command);
    }
  }

  @Test
  void encodeWritesDenseFeaturesOfTheResizedImage() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 3L, dir.resolve("clip.safetensors"));
    Path image = dir.resolve("img.png");
    BufferedImage img = new BufferedImage(60, 45, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 45; y++) {
      for (int x = 0; x < 60; x++) {
        img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 77);
      }
    }
    ImageIO.write(img, "png", image.toFile());
    Path target = dir.resolve("features.safetensors");
    int code = Main.execute("encode", "--method", "sclip", "--weights", weights.toString(), "--image", image.toString(),
        "--out", target.toString());
    assertThat(code).as(console.err()).isZero();
    try (TensorFile f = TensorFile.open(target)) {
      // short side 45 -> 32, long side 60 * 32 / 45 = 42.7 -> 40 (multiple of the patch 8): grid 4 x 5.
      assertThat(f.info("features").shape()).containsExactly(1, 32, 4, 5);
      assertThat(f.info("image").shape()).containsExactly(1, 3, 32, 40);
      assertThat(f.metadata()).containsEntry("method", "sclip").containsKey("weights_sha256");
    }
  }

  @Test
  void unknownMethodIsAOneLineErrorListingMethods() {
    int code = Main.execute("encode", "--method", "nope", "--weights", "w", "--image", "i", "--out", "o");
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains("unknown method 'nope'").contains("sclip");
  }

  @Test
  void corruptImageIsNamedInTheError() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 3L, dir.resolve("clip.safetensors"));
    Path image = Files.write(dir.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    int code = Main.execute("encode", "--method", "clip", "--weights", weights.toString(), "--image", image.toString(),
        "--out", dir.resolve("x.safetensors").toString());
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains("broken.png");
    assertThat(dir.resolve("x.safetensors")).doesNotExist();
  }

  @Test
  void prepareCocoObjectWritesInstanceTrainIds() throws Exception {
    Path val = Files.createDirectories(dir.resolve("coco/annotations/val2017"));
    BufferedImage raw = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    raw.getRaster().setSample(0, 0, 0, 0); // person (thing) -> 1
    raw.getRaster().setSample(1, 0, 0, 120); // a stuff id -> 0
    raw.getRaster().setSample(2, 0, 0, 255); // unlabeled -> 0 (the reference maps it to background)
    ImageIO.write(raw, "png", val.resolve("000000000139.png").toFile());
    assertThat(Main.execute("prepare", "coco-object", "--data-root", dir.resolve("coco").toString()))
        .as(console.err()).isZero();
    BufferedImage out = ImageIO.read(val.resolve("000000000139_instanceTrainIds.png").toFile());
    assertThat(new int[] {out.getRaster().getSample(0, 0, 0), out.getRaster().getSample(1, 0, 0),
        out.getRaster().getSample(2, 0, 0)}).containsExactly(1, 0, 0);
    assertThat(console.out()).contains("wrote 1 COCO-Object label maps");
  }

  @Test
  void prepareOnAMislaidRootNamesWhatItExpected() {
    assertThat(Main.execute("prepare", "coco-object", "--data-root", dir.toString())).isEqualTo(2);
    assertThat(console.err()).contains("expected train2017/ or val2017/");
  }
}

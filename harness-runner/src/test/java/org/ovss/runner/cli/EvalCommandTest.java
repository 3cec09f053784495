package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;
import org.ovss.leaderboards.ProtocolHash;
import org.ovss.testkit.VocLayout;

/** {@code ovss eval} end to end on a small VOC-layout dataset written by the test. */
class EvalCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  /** VOCdevkit/VOC2012 layout (the test kit's {@link VocLayout}). */
  static Path vocLayout(Path root, List<String> ids, int h, int w) throws Exception {
    return VocLayout.write(root, ids, h, w);
  }

  @Test
  void evalWritesResultsWithProvenanceAndPalettePredictions() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Path root = vocLayout(dir.resolve("VOC2012"), List.of("2007_000001", "2007_000002", "2007_000003"), 40, 52);
    Path outDir = dir.resolve("run");
    int code = Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
        "--data-root", root.toString(), "--out", outDir.toString(), "--save-predictions",
        "--short-side", "48", "--crop", "32", "--stride", "16", "--prompts", "a-photo-of", "--limit", "2");
    assertThat(code).as(console.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(outDir.resolve("results.json").toFile());
    assertThat(r.get("schema").asText()).isEqualTo("ovss-results/1");
    assertThat(r.get("method").asText()).isEqualTo("sclip");
    assertThat(r.get("dataset").asText()).isEqualTo("voc21");
    assertThat(r.get("images").asInt()).isEqualTo(2);
    assertThat(r.get("weightsSha256").asText()).hasSize(64);
    assertThat(r.get("protocolSha256").asText()).hasSize(64);
    // the hash is recomputable from the protocol the file holds (the store re-keys older results that way)
    assertThat(ProtocolHash.of(r.get("protocol"))).isEqualTo(r.get("protocolSha256").asText());
    assertThat(r.get("protocolHashVersion").asInt()).isEqualTo(ProtocolHash.VERSION);
    assertThat(r.get("protocolCitation").asText()).isEqualTo("Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for"
        + " Dense Vision-Language Inference. ECCV 2024 (arXiv:2312.01597); repository defaults, not the paper's"
        + " Section 4.1: wangf3014/SCLIP@b56bd30 configs/cfg_*.py and clip_segmentor.py");
    assertThat(r.get("protocol").get("paper").asText()).isEqualTo("sclip-2024");
    assertThat(r.get("protocol").get("crop").asInt()).isEqualTo(32);
    assertThat(r.get("protocol").get("logitScale").asDouble()).isEqualTo(65.0);
    assertThat(r.get("metrics").get("mIoU").asDouble()).isBetween(0.0, 100.0);
    assertThat(r.get("classes")).hasSize(21);
    assertThat(r.get("provenance").get("machine").get("cores").asInt()).isPositive();
    assertThat(outDir.resolve("predictions/2007_000001.png")).exists();
    assertThat(outDir.resolve("predictions/2007_000003.png")).doesNotExist();
    BufferedImage pred = ImageIO.read(outDir.resolve("predictions/2007_000002.png").toFile());
    assertThat(pred.getWidth()).isEqualTo(52);
    assertThat(pred.getHeight()).isEqualTo(40);
    assertThat(pred.getColorModel()).isInstanceOf(IndexColorModel.class);
    assertThat(console.err()).contains("2/2");
  }

  @Test
  void missingDatasetDirectoryIsExplained() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    int code = Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc20",
        "--data-root", dir.resolve("nowhere").toString(), "--out", dir.resolve("run").toString());
    assertThat(code).isEqualTo(2);
    assertThat(console.err()).contains("nowhere");
  }

  @Test
  void invalidOverridesAndUnknownNamesAreOneLineErrors() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Path root = vocLayout(dir.resolve("VOC2012"), List.of("a"), 40, 52);
    String[] base = {"eval", "--method", "sclip", "--weights", weights.toString(), "--data-root", root.toString(),
        "--out", dir.resolve("run").toString()};
    assertThat(Main.execute(concat(base, "--dataset", "voc21", "--stride", "500"))).isEqualTo(2);
    assertThat(console.err()).contains("stride 500 is larger than crop 224");
    assertThat(Main.execute(concat(base, "--dataset", "voc99"))).isEqualTo(2);
    assertThat(console.err()).contains("unknown dataset 'voc99'").contains("voc21");
    assertThat(Main.execute(concat(base, "--dataset", "voc21", "--protocol", "nope"))).isEqualTo(2);
    assertThat(console.err()).contains("unknown protocol 'nope'");
    assertThat(Main.execute(concat(base, "--dataset", "voc20", "--prob-thd", "0.2"))).isEqualTo(2);
    assertThat(console.err()).contains("has no background class");
    assertThat(Main.execute(concat(base, "--dataset", "voc21", "--pamr", "ten"))).isEqualTo(2);
    assertThat(console.err()).contains("--pamr takes ITERS:DIL,DIL");
    assertThat(Main.execute(concat(base, "--dataset", "voc21", "--crop", "4", "--stride", "4"))).isEqualTo(2);
    assertThat(console.err()).contains("smaller than the patch size");
  }

  static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}

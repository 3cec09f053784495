package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.MethodConfig;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.model.ClipPresets;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.MethodRegistry;
import org.ovss.runner.protocol.Protocols;

/** {@code "keepRatio": false}: a 24 x 40 image reaches the method as a square; without it, its aspect ratio is kept. */
class SquareResizeTest {
  @TempDir Path dir;

  @Test
  void keepRatioFalseFeedsASquareWindow() throws Exception {
    Path data = dir.resolve("VOC2012");
    Files.createDirectories(data.resolve("JPEGImages"));
    Files.createDirectories(data.resolve("SegmentationClass"));
    Files.createDirectories(data.resolve("ImageSets/Segmentation"));
    BufferedImage img = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
    BufferedImage label = new BufferedImage(40, 24, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, x < 20 ? 0xC03020 : 0x204080);
        label.getRaster().setSample(x, y, 0, x < 20 ? 1 : 0);
      }
    }
    ImageIO.write(img, "jpg", data.resolve("JPEGImages/000000.jpg").toFile());
    ImageIO.write(label, "png", data.resolve("SegmentationClass/000000.png").toFile());
    Files.writeString(data.resolve("ImageSets/Segmentation/val.txt"), "000000\n");
    Path protocol = dir.resolve("square.json");
    Files.writeString(protocol, "{\"extends\": \"sclip\", \"keepRatio\": false}");
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Map<String, String> whole = Map.of("mode", "whole", "shortSide", "32", "longSide", "64", "prompts", "a-photo-of");
    assertThat(windowShapes(data, weights, protocol.toString(), whole)).containsExactly(List.of(1L, 3L, 32L, 32L));
    assertThat(windowShapes(data, weights, "sclip", whole)).containsExactly(List.of(1L, 3L, 32L, 53L));
  }

  private static List<List<Long>> windowShapes(Path data, Path weights, String protocolName, Map<String, String> overrides) {
    DatasetSpec spec = DatasetSpecs.get("voc21");
    Protocols.Resolved protocol = Protocols.resolve(protocolName, spec.name(), overrides);
    List<List<Long>> shapes = new ArrayList<>();
    try (SegmentationMethod real = MethodRegistry.discover().get("sclip").open(MethodConfig.of(weights, null))) {
      SegmentationMethod watching = new DelegatingMethod(real) {
        @Override
        public NDArray segment(NDArray windows, QueryEmbeddings queries) {
          List<Long> s = new ArrayList<>();
          for (long d : windows.getShape().getShape()) {
            s.add(d);
          }
          shapes.add(s);
          return real.segment(windows, queries);
        }
      };
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      EvalResults results = new Evaluator(watching, spec, DatasetIndex.open(spec, data), protocol, null, 4)
          .run(quiet, weights.toString(), "x");
      assertThat(results.metrics().get("mIoU")).isNotNull();
    }
    return shapes;
  }
}

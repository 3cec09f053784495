package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
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

/**
 * A long evaluation with the tiny CLIP keeps its memory flat: the live NDArrays and NDManagers under the engine's
 * system manager are the same after the last image as after the first {@code ovss.soak.first} images (every
 * per-image scope closed, nothing attached to the method's long-lived manager), and the heap after a GC and the
 * process RSS grow by no more than a small bound that does not scale with the images. Every build evaluates 240
 * images of 32 x 32 (about 0.1 s each on two busy cores); {@code -Psoak} evaluates 5,008.
 */
class EvalSoakTest {
  private static final int IMAGES = Integer.getInteger("ovss.soak.images", 240);
  private static final int FIRST = Integer.getInteger("ovss.soak.first", 60);
  /** Images per forward: same-size whole images share forwards up to the window batch. */
  private static final int BATCH = 16;
  private static final long HEAP_SLACK = 16L << 20;
  private static final long RSS_SLACK = 96L << 20;

  @TempDir Path dir;

  @Test
  void memoryAndLiveNativeArraysStayFlatOverThousandsOfImages() throws Exception {
    // Both samples are taken at the forward of a full group of BATCH images sharing it (same arrays alive).
    assertThat(IMAGES % BATCH).as("ovss.soak.images must be a multiple of %d", BATCH).isZero();
    DatasetSpec spec = DatasetSpecs.get("voc21");
    DatasetIndex index = DatasetIndex.open(spec, dataset(dir.resolve("VOC2012"), IMAGES));
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Protocols.Resolved protocol = Protocols.resolve("sclip", spec.name(),
        Map.of("mode", "whole", "shortSide", "32", "prompts", "a-photo-of"));
    List<Sample> samples = new ArrayList<>();
    try (SegmentationMethod real = MethodRegistry.discover().get("sclip").open(MethodConfig.of(weights, null));
        Probe probe = new Probe(real, samples)) {
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      EvalResults results = new Evaluator(probe, spec, index, protocol, null, BATCH).crossImageBatches(true).run(quiet, weights.toString(), "x");
      assertThat(results.images()).isEqualTo(IMAGES);
    }
    assertThat(samples).hasSize(2);
    Sample first = samples.get(0);
    Sample last = samples.get(1);
    assertThat(last.liveResources()).as("live NDArrays/NDManagers after image %d vs %d", IMAGES, FIRST)
        .isEqualTo(first.liveResources());
    assertThat(last.heap()).as("heap after GC (bytes)").isLessThanOrEqualTo(first.heap() + HEAP_SLACK);
    if (first.rss() > 0) {
      assertThat(last.rss()).as("VmRSS (bytes)").isLessThanOrEqualTo(first.rss() + RSS_SLACK);
    }
  }

  /** Memory at one moment of the run. */
  record Sample(long liveResources, long heap, long rss) {
    static Sample now() {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      Runtime r = Runtime.getRuntime();
      return new Sample(EvalSoakTest.liveResources(), r.totalMemory() - r.freeMemory(), EvalSoakTest.rss());
    }
  }

  /** Delegates to the real method and samples memory when image {@link #FIRST} + 1 and the last image are segmented. */
  private static final class Probe extends DelegatingMethod {
    private final List<Sample> samples;
    private int images;

    Probe(SegmentationMethod real, List<Sample> samples) {
      super(real);
      this.samples = samples;
    }

    @Override
    public NDArray segment(NDArray windows, QueryEmbeddings queries) {
      // whole-image inference: one image per window, BATCH images per call (every group full, see the test); the
      // previous group's scope is closed by now
      int before = images;
      images += (int) windows.getShape().get(0);
      if ((before <= FIRST && images > FIRST) || images == IMAGES) {
        samples.add(Sample.now());
      }
      return real.segment(windows, queries);
    }
  }

  /** NDArrays and NDManagers reachable from the engine's system manager (children counted recursively). */
  static long liveResources() {
    try (NDManager probe = NDManager.newBaseManager()) {
      return count(probe.getParentManager()) - 1; // the probe itself
    }
  }

  private static long count(NDManager manager) {
    try {
      Field f = BaseNDManager.class.getDeclaredField("resources");
      f.setAccessible(true);
      Map<?, ?> resources = (Map<?, ?>) f.get(manager);
      long n = 0;
      for (Object r : resources.values()) {
        n += 1 + (r instanceof NDManager child ? count(child) : 0);
      }
      return n;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("DJL's BaseNDManager no longer has a 'resources' map", e);
    }
  }

  /** Resident set size from /proc (Linux); 0 elsewhere. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** A VOC layout of {@code n} samples: a few distinct 32 x 32 images and labels, hard-linked under every id. */
  static Path dataset(Path root, int n) throws IOException {
    Files.createDirectories(root.resolve("JPEGImages"));
    Files.createDirectories(root.resolve("SegmentationClass"));
    Files.createDirectories(root.resolve("ImageSets/Segmentation"));
    int variants = 8;
    for (int v = 0; v < variants; v++) {
      BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
      BufferedImage label = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          boolean object = (x - 16) * (x - 16) + (y - 16) * (y - 16) < 40 + 10 * v;
          img.setRGB(x, y, object ? 0xC03020 + v * 0x000810 : 0x204080 + x * 0x030000);
          label.getRaster().setSample(x, y, 0, object ? 1 + v : 0);
        }
      }
      ImageIO.write(img, "jpg", root.resolve("v" + v + ".jpg").toFile());
      ImageIO.write(label, "png", root.resolve("v" + v + ".png").toFile());
    }
    StringBuilder split = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String id = String.format("%06d", i);
      Files.createLink(root.resolve("JPEGImages/" + id + ".jpg"), root.resolve("v" + (i % variants) + ".jpg"));
      Files.createLink(root.resolve("SegmentationClass/" + id + ".png"), root.resolve("v" + (i % variants) + ".png"));
      split.append(id).append('\n');
    }
    Files.writeString(root.resolve("ImageSets/Segmentation/val.txt"), split);
    return root;
  }
}

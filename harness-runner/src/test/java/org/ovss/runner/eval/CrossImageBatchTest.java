package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Which images share a forward: small whole images up to the window batch, larger ones only up to six 224 x 224
 * windows' worth of pixels, none with {@code crossImageBatches(false)} (the default); the metrics are the same either way
 * here (the tiny CLIP has no near-tied classes).
 */
class CrossImageBatchTest {
  @TempDir Path dir;

  @Test
  void smallWholeImagesShareForwardsUpToTheBatchAndThePixelBudget() throws Exception {
    Path data = EvalSoakTest.dataset(dir.resolve("VOC2012"), 40);
    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    assertThat(run(data, weights, 32, 16, true).batches).as("32 x 32: 16 per forward").containsExactly(16, 16, 8);
    // 256 x 256 = 65,536 pixels: 4 fit in 6 x 224 x 224 = 301,056
    assertThat(run(data, weights, 256, 16, true).batches).as("256 x 256").hasSize(10).containsOnly(4);
    assertThat(run(data, weights, 32, 5, true).batches).as("window batch 5").containsExactly(5, 5, 5, 5, 5, 5, 5, 5);
    Run alone = run(data, weights, 32, 16, false);
    assertThat(alone.batches).as("one image per forward").hasSize(40).containsOnly(1);
    assertThat(run(data, weights, 32, 16, true).mIoU).isEqualTo(alone.mIoU);
  }

  private record Run(List<Integer> batches, double mIoU) {}

  private Run run(Path data, Path weights, int side, int windowBatch, boolean share) {
    DatasetSpec spec = DatasetSpecs.get("voc21");
    Protocols.Resolved protocol = Protocols.resolve("sclip", spec.name(),
        Map.of("mode", "whole", "shortSide", Integer.toString(side), "prompts", "a-photo-of"));
    List<Integer> batches = new ArrayList<>();
    try (SegmentationMethod real = MethodRegistry.discover().get("sclip").open(MethodConfig.of(weights, null))) {
      SegmentationMethod counting = new DelegatingMethod(real) {
        @Override
        public NDArray segment(NDArray windows, QueryEmbeddings queries) {
          batches.add((int) windows.getShape().get(0));
          return real.segment(windows, queries);
        }
      };
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      EvalResults results = new Evaluator(counting, spec, DatasetIndex.open(spec, data), protocol, null, windowBatch)
          .crossImageBatches(share).run(quiet, weights.toString(), "x");
      return new Run(batches, results.metrics().get("mIoU"));
    }
  }
}

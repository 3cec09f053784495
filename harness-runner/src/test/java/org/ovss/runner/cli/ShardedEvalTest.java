package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;
import org.ovss.datasets.Sample;
import org.ovss.api.Execution;
import org.ovss.runner.eval.CellJob;
import org.ovss.runner.eval.ShardExecutor;
import org.ovss.runner.eval.ShardSums;
import org.ovss.runner.eval.ShardWorker;

/**
 * A cell evaluated shard by shard (in this JVM, through the executor-side {@link ShardWorker}) and reduced gives
 * results.json with the same metrics, per-class values and feature metric, bit for bit, as {@code ovss eval}.
 */
class ShardedEvalTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  /** Evaluates the shards here, one after the other, and counts them. */
  static final class InProcess implements ShardExecutor {
    final List<Integer> shardSizes = new ArrayList<>();

    @Override
    public List<ShardSums> evaluate(CellJob job, List<List<Sample>> shards, long imagesBefore, long imagesTotal,
        java.io.PrintStream out) {
      List<ShardSums> sums = new ArrayList<>();
      for (List<Sample> shard : shards) {
        shardSizes.add(shard.size());
        sums.add(ShardWorker.evaluate(job, shard, out));
      }
      return sums;
    }
  }

  @Test
  void shardsReduceToTheResultsOfOneEvaluationBitForBit() throws Exception {
    Path weights = ClipPresets.writeRandom("tiny", 7L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("a", "b", "c", "d", "e"), 40, 52);
    // clippy's protocol adds a feature metric (per-image states added in order) to the histograms.
    for (String protocol : List.of("sclip", "clippy")) {
      Path local = dir.resolve("local-" + protocol);
      assertThat(Main.execute("eval", "--method", "sclip", "--weights", weights.toString(), "--dataset", "voc21",
          "--data-root", root.toString(), "--out", local.toString(), "--protocol", protocol, "--short-side", "48",
          "--crop", "32", "--stride", "16", "--prompts", "a-photo-of")).as(console.err()).isZero();
      InProcess executor = new InProcess();
      Path sharded = dir.resolve("sharded-" + protocol);
      Map<String, String> overrides = Map.of("shortSide", "48", "crop", "32", "stride", "16", "prompts", "a-photo-of");
      new CellJob("sclip", weights.toString(), null, Map.of(), "voc21", root.toString(), protocol, overrides, null,
          true, 16, sharded.toString(), null, new Execution(Execution.Engine.ONNXRUNTIME, Execution.Precision.FP32, "cpu",
          null)).run(false, System.err, executor, 2);
      assertThat(executor.shardSizes).containsExactly(2, 2, 1);
      JsonNode a = new ObjectMapper().readTree(local.resolve("results.json").toFile());
      JsonNode b = new ObjectMapper().readTree(sharded.resolve("results.json").toFile());
      assertThat(b.get("metrics")).isEqualTo(a.get("metrics"));
      assertThat(b.get("classes")).isEqualTo(a.get("classes"));
      assertThat(b.get("splitSha256")).isEqualTo(a.get("splitSha256"));
      assertThat(b.get("protocolSha256")).isEqualTo(a.get("protocolSha256"));
      assertThat(b.get("images").asInt()).isEqualTo(5);
      // the shards ran on the engine `ovss eval` chose by default for sclip
      assertThat(b.at("/provenance/execution")).isEqualTo(a.at("/provenance/execution"));
      assertThat(b.at("/provenance/execution/engine").asText()).isEqualTo("onnxruntime");
      if (protocol.equals("clippy")) {
        assertThat(a.get("metrics").has("grouping-jaccard")).isTrue();
      }
      assertThat(sharded.resolve("predictions/e.png")).exists();
    }
  }
}

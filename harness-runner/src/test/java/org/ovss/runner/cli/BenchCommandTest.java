package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ovss bench} on the tiny random CLIP: the report's shape, not its timings. */
class BenchCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  private JsonNode bench(String... extra) throws Exception {
    String[] base = {"bench", "--method", "sclip", "--random-weights", "tiny", "--protocol", "sclip", "--classes", "5",
      "--images", "3", "--prompts", "a-photo-of", "--cache-dir", dir.toString(), "--json"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    console.reset();
    int code = Main.execute(args);
    assertThat(code).as(console.err()).isZero();
    return new ObjectMapper().readTree(console.out());
  }

  @Test
  void jsonReportHasEveryStageThroughputOverheadAndMemory() throws Exception {
    JsonNode r = bench("--image-size", "40x52", "--short-side", "48");
    assertThat(r.get("schema").asText()).isEqualTo("ovss-bench/1");
    assertThat(r.get("images").asInt()).isEqualTo(3);
    for (String stage : new String[] {"load+resize", "window encode", "window aggregation", "post-processing",
        "metric update", "image end to end"}) {
      JsonNode s = r.get("stages").get(stage);
      assertThat(s).as(stage).isNotNull();
      assertThat(s.get("count").asInt()).as(stage).isEqualTo(3);
      assertThat(s.get("p50Ms").asDouble()).as(stage).isGreaterThanOrEqualTo(0);
      assertThat(s.get("p99Ms").asDouble()).as(stage).isGreaterThanOrEqualTo(s.get("p50Ms").asDouble());
    }
    assertThat(r.get("imagesPerSecond").asDouble()).isPositive();
    assertThat(r.get("bareForwardSeconds").asDouble()).isPositive();
    assertThat(r.get("overheadRatio").asDouble()).isPositive();
    // the process CPU clock counts 10 ms ticks: a CPU figure is given only where both totals span 0.5 s or more
    if (r.get("bareForwardCpuSeconds").isNull() || r.get("cpuSecondsPerImage").isNull()) {
      assertThat(r.get("cpuOverheadRatio").isNull()).isTrue();
      assertThat(r.get("cpuNote").asText()).contains("10 ms ticks").contains("under 0.5 s");
    } else {
      assertThat(r.get("bareForwardCpuSeconds").asDouble() * 3).isGreaterThanOrEqualTo(0.5);
      assertThat(r.get("cpuSecondsPerImage").asDouble() * 3).isGreaterThanOrEqualTo(0.5);
    }
    assertThat(r.at("/execution/engine").asText()).isIn("pytorch", "onnxruntime");
    assertThat(r.get("peakRssBytes").asLong()).isPositive();
    assertThat(r.get("resizedSize").get(0).asInt()).isEqualTo(48);
    assertThat(r.get("windows").asInt()).isEqualTo(1);
    assertThat(dir.resolve("random-tiny-seed0.safetensors")).exists();
  }

  @Test
  void cpuTotalsUnderFiftyClockTicksAreNotReported() {
    assertThat(org.ovss.runner.bench.Memory.cpuMeasurable(490_000_000L)).isFalse();
    assertThat(org.ovss.runner.bench.Memory.cpuMeasurable(500_000_000L)).isTrue();
  }

  @Test
  void prefetchAndOneByOneWindowsGiveTheSameMetrics() throws Exception {
    String[] small = {"--short-side", "64", "--image-size", "48x70", "--crop", "32", "--stride", "16"};
    double base = bench(small).get("mIoU").asDouble();
    assertThat(bench(EvalCommandTest.concat(small, "--no-prefetch")).get("mIoU").asDouble()).isEqualTo(base);
    JsonNode oneByOne = bench(EvalCommandTest.concat(small, "--window-batch", "1", "--no-prefetch"));
    assertThat(oneByOne.get("windows").asInt()).isEqualTo(15);
    assertThat(oneByOne.get("mIoU").asDouble()).isEqualTo(base);
  }

  @Test
  void badSizesAreOneLineErrors() {
    assertThat(Main.execute("bench", "--method", "sclip", "--random-weights", "tiny", "--protocol", "sclip",
        "--image-size", "big", "--cache-dir", dir.toString())).isEqualTo(2);
    assertThat(console.err()).contains("--image-size takes HxW");
    assertThat(Main.execute("bench", "--method", "sclip", "--random-weights", "vit-z", "--protocol", "sclip",
        "--cache-dir", dir.toString())).isEqualTo(2);
    assertThat(console.err()).contains("vit-z");
  }
}

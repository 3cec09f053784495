package org.ovss.runner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.UnsupportedCapabilityException;
import org.ovss.runner.MethodRegistry;
import org.ovss.runner.bench.Bench;
import org.ovss.runner.bench.RandomWeights;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ovss bench}: throughput, per-stage latency and peak memory of a protocol on generated images. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run a protocol end to end on generated images and report images/s, p50/p90/p99 per stage",
      "(load+resize, window encode, window aggregation, post-processing, metric update), peak RSS and the",
      "overhead ratio: seconds per image over a bare batched encoder forward of the same windows."})
final class BenchCommand implements Runnable {

  @Option(names = "--method", required = true, description = "method id (see 'ovss methods')")
  String method;

  static final class Weights {
    @Option(names = "--weights", description = "weights file") Path file;
    @Option(names = "--random-weights", paramLabel = "ARCH",
        description = "seeded random CLIP weights of a real architecture: vit-b16, vit-b32 or vit-l14")
    String preset;
  }

  @ArgGroup(exclusive = true, multiplicity = "1") Weights weights;

  @Option(names = "--tokenizer", description = "tokenizer directory or bpe gz file (default: beside the weights, else CLIP's own)")
  Path tokenizer;

  @Option(names = {"-o", "--option"}, description = "method option NAME=VALUE (repeatable)")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--protocol", required = true, description = "protocol name or JSON file")
  String protocol;

  @Option(names = "--image-size", defaultValue = "375x500", paramLabel = "HxW", description = "generated image size (default ${DEFAULT-VALUE})")
  String imageSize;

  @Option(names = "--classes", defaultValue = "21", description = "vocabulary size (default ${DEFAULT-VALUE})")
  int classes;

  @Option(names = "--images", defaultValue = "10", description = "measured images (default ${DEFAULT-VALUE})")
  int images;

  @Option(names = "--warmup", defaultValue = "1", description = "images run first and not measured; they also encode the vocabulary (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--window-batch", defaultValue = "16", description = "windows per forward (default ${DEFAULT-VALUE})")
  int windowBatch;

  @Option(names = "--no-prefetch",
      description = "load each image when it is needed instead of on another thread while the previous one is encoded")
  boolean noPrefetch;

  @Option(names = "--share-forwards",
      description = "let consecutive small single-window images of one size share forwards (default: one image per forward)")
  boolean shareForwards;

  @Option(names = "--threads", description = "libtorch intra-op threads (default: libtorch's, the cores)")
  Integer threads;

  @Option(names = "--interop-threads", description = "libtorch inter-op threads")
  Integer interopThreads;

  @Mixin ProtocolOverrides overrides;

  @Mixin ExecutionOptions execution;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights and images (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--cache-dir", description = "where random weights are kept between runs (default: java.io.tmpdir/ovss-bench)")
  Path cacheDir;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Override
  public void run() {
    EngineThreads.apply(threads, interopThreads);
    String[] hw = imageSize.toLowerCase().split("x");
    if (hw.length != 2 || !hw[0].matches("\\d+") || !hw[1].matches("\\d+") || Integer.parseInt(hw[0]) < 1 || Integer.parseInt(hw[1]) < 1) {
      throw new InvalidInputException("--image-size takes HxW (e.g. 375x500), got '" + imageSize + "'");
    }
    if (images < 1 || warmup < 0 || windowBatch < 1) {
      throw new InvalidInputException("--images and --window-batch must be positive and --warmup not negative");
    }
    MethodProvider provider = MethodRegistry.discover().get(method);
    if (!provider.info().has(Capability.SEGMENT)) {
      throw new UnsupportedCapabilityException(method, Capability.SEGMENT);
    }
    Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("java.io.tmpdir"), "ovss-bench");
    Path file;
    String label;
    if (weights.file != null) {
      file = weights.file;
      label = file.toString();
    } else {
      System.err.println("bench: random " + weights.preset + " weights (seed " + seed + ", cached under " + cache + ") ...");
      file = RandomWeights.file(weights.preset, seed, cache);
      label = "random " + weights.preset + ", seed " + seed;
    }
    MethodConfig config = new MethodConfig(Optional.of(file), Optional.ofNullable(tokenizer), options, seed,
        execution.resolve(provider));
    Path work;
    try {
      work = Files.createTempDirectory("ovss-bench-data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Map<String, Object> report = Bench.run(new Bench.Request(provider, config, label, protocol, overrides.map(),
          Integer.parseInt(hw[0]), Integer.parseInt(hw[1]), classes, images, warmup, windowBatch, !noPrefetch, shareForwards, seed, work),
          System.err);
      System.out.println(json ? toJson(report) : BenchText.render(report));
    } finally {
      deleteTree(work);
    }
  }

  static String toJson(Map<String, Object> report) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary folder is not worth failing a benchmark for
    }
  }
}

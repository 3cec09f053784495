package org.ovss.runner.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.eval.CellJob;
import org.ovss.runner.eval.EvalResults;
import org.ovss.runner.eval.EvalRun;
import org.ovss.runner.eval.ShardExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ovss eval}: one method on one dataset under one protocol, with results.json. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate a method on a dataset split under a protocol and write DIR/results.json",
      "(metrics, per-class IoU, the resolved protocol and its hash, weights and split hashes, provenance).",
      "Progress is checkpointed in DIR/checkpoint.json: run again with the same arguments to resume a killed run."})
final class EvalCommand implements Runnable {

  @Mixin MethodOptions methodOptions;

  @Option(names = "--dataset", required = true, description = "dataset name (voc21, voc20, context60, context59, coco-object, coco-stuff, ade20k, cityscapes) or a spec JSON file")
  String dataset;

  @Option(names = "--data-root", required = true, description = "dataset root (for VOC: the directory holding JPEGImages, SegmentationClass and ImageSets)")
  Path dataRoot;

  @Option(names = "--protocol", description = "protocol name or JSON file (default: the method's)")
  String protocol;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--limit", description = "evaluate only the first N images of the split")
  Integer limit;

  @Option(names = "--restart", description = "discard a checkpoint in DIR (of this or another run) instead of resuming from it")
  boolean restart;

  @Option(names = "--save-predictions", description = "write one palette PNG per image under DIR/predictions/")
  boolean savePredictions;

  @Mixin ProtocolOverrides overrides;

  @Option(names = "--weights-label", description = "a name for the weights in results.json; boards show one row per method"
      + " and weights (e.g. vit-b, or the demo's trained / untrained)")
  String weightsLabel;

  @Option(names = "--window-batch", defaultValue = "16", description = "windows per forward (default ${DEFAULT-VALUE})")
  int windowBatch;

  @Option(names = "--share-forwards", description = "let consecutive small single-window images of one size share"
      + " forwards (faster on small images; a score's last bit can then depend on its batch)")
  boolean shareForwards;

  @Option(names = "--spark", paramLabel = "MASTER", description = "evaluate on Apache Spark, shard by shard:"
      + " local[N], spark://HOST:PORT (see README)")
  String spark;

  @Option(names = "--shard-images", description = "with --spark: images per shard (default: the split in about 16"
      + " shards of at most 50 images)")
  Integer shardImages;

  @Override
  public void run() {
    MethodProvider provider = methodOptions.provider(Capability.SEGMENT);
    DatasetSpec spec = Files.isRegularFile(Path.of(dataset)) ? DatasetSpecs.load(Path.of(dataset)) : DatasetSpecs.get(dataset);
    EvalResults results;
    if (spark != null) {
      if (shareForwards) {
        throw new InvalidInputException("--share-forwards is not available with --spark");
      }
      CellJob job = new CellJob(provider.id(), methodOptions.weights.toString(),
          methodOptions.tokenizer == null ? null : methodOptions.tokenizer.toString(), methodOptions.options, dataset,
          dataRoot.toString(), protocol, overrides.map(), limit, savePredictions, windowBatch, out.toString(),
          weightsLabel, methodOptions.execution.resolve(provider));
      try (ShardExecutor executor = ShardExecutor.connect(spark, System.err)) {
        results = job.run(restart, System.err, executor, shardImages);
      }
    } else {
      results = EvalRun.run(new EvalRun.Request(provider, methodOptions.config(provider), spec, dataRoot, protocol,
          overrides.map(), limit, savePredictions, windowBatch, out, restart, shareForwards), weightsLabel, System.err);
    }
    System.out.printf("%s on %s (%d images, protocol %s %s): mIoU %.2f  mAcc %.2f  aAcc %.2f%n", results.method(),
        spec.name(), results.images(), protocolName(results), results.protocolSha256().substring(0, 12),
        results.metrics().get("mIoU"), results.metrics().get("mAcc"), results.metrics().get("aAcc"));
    System.out.println("wrote " + out.resolve("results.json"));
  }

  private static Object protocolName(EvalResults results) {
    return ((Map<?, ?>) results.protocol()).get("name");
  }
}

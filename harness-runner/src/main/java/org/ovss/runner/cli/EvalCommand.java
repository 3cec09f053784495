package org.ovss.runner.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.eval.EvalResults;
import org.ovss.runner.eval.EvalRun;
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

  @Option(names = "--short-side", description = "override: short side of the resized image") Integer shortSide;
  @Option(names = "--crop", description = "override: sliding-window size") Integer crop;
  @Option(names = "--stride", description = "override: sliding-window stride") Integer stride;
  @Option(names = "--whole", description = "override: whole-image inference instead of sliding windows") boolean whole;
  @Option(names = "--logit-scale", description = "override: logit scale") Double logitScale;
  @Option(names = "--prob-thd", description = "override: probability threshold for class 0") Double probThd;
  @Option(names = "--area-thd", description = "override: SCLIP area threshold ('off' to disable)") String areaThd;
  @Option(names = "--bg-threshold", description = "override: background threshold ('off' to disable)") String bgThreshold;
  @Option(names = "--prompts", description = "override: prompt set name or file") String prompts;
  @Option(names = "--class-names", description = "override: default (synonym files) or alt (GroupViT/SegCLIP names)") String classNames;

  @Option(names = "--pamr", paramLabel = "ITERS:DIL,DIL", description = "PAMR on the logits, e.g. 10:8,16 ('off' to disable)")
  String pamr;

  @Option(names = "--crf", arity = "0..1", fallbackValue = "", paramLabel = "NAME=VALUE;...",
      description = "DenseCRF on the class probabilities (SimSeg's parameters unless given, e.g. 'iterations=5')")
  String crf;

  @Option(names = "--weights-label", description = "a name for the weights in results.json; boards show one row per method"
      + " and weights (e.g. vit-b, or the demo's trained / untrained)")
  String weightsLabel;

  @Option(names = "--window-batch", defaultValue = "16", description = "windows per forward (default ${DEFAULT-VALUE})")
  int windowBatch;

  @Override
  public void run() {
    MethodProvider provider = methodOptions.provider(Capability.SEGMENT);
    DatasetSpec spec = Files.isRegularFile(Path.of(dataset)) ? DatasetSpecs.load(Path.of(dataset)) : DatasetSpecs.get(dataset);
    EvalResults results = EvalRun.run(new EvalRun.Request(provider, methodOptions.config(), spec, dataRoot, protocol,
        overrides(), limit, savePredictions, windowBatch, out, restart), weightsLabel, System.err);
    System.out.printf("%s on %s (%d images, protocol %s %s): mIoU %.2f  mAcc %.2f  aAcc %.2f%n", results.method(),
        spec.name(), results.images(), protocolName(results), results.protocolSha256().substring(0, 12),
        results.metrics().get("mIoU"), results.metrics().get("mAcc"), results.metrics().get("aAcc"));
    System.out.println("wrote " + out.resolve("results.json"));
  }

  private static Object protocolName(EvalResults results) {
    return ((Map<?, ?>) results.protocol()).get("name");
  }

  private Map<String, String> overrides() {
    Map<String, String> o = new LinkedHashMap<>();
    put(o, "shortSide", shortSide);
    put(o, "crop", crop);
    put(o, "stride", stride);
    if (whole) {
      o.put("mode", "whole");
    }
    put(o, "logitScale", logitScale);
    put(o, "probThreshold", probThd);
    put(o, "areaThreshold", areaThd);
    put(o, "bgThreshold", bgThreshold);
    put(o, "prompts", prompts);
    put(o, "classNames", classNames);
    if (pamr != null) {
      o.put("pamr", pamrSetting(pamr));
    }
    if (crf != null) {
      o.put("crf", crf.equalsIgnoreCase("off") ? "off" : crf);
    }
    return o;
  }

  /** {@code ITERS:DIL,DIL} to the PAMR parameter string. */
  static String pamrSetting(String text) {
    if (text.equalsIgnoreCase("off")) {
      return "off";
    }
    String[] parts = text.split(":");
    if (parts.length != 2 || !parts[0].strip().matches("\\d+") || !parts[1].strip().matches("\\d+(,\\d+)*")) {
      throw new InvalidInputException("--pamr takes ITERS:DIL,DIL (e.g. 10:8,16), got '" + text + "'");
    }
    return "iterations=" + parts[0].strip() + ";dilations=" + parts[1].strip();
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put(key, value.toString());
    }
  }
}

package org.ovss.runner.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;
import org.ovss.datasets.CityscapesConverter;
import org.ovss.datasets.CocoObjectConverter;
import org.ovss.datasets.CocoStuffConverter;
import org.ovss.datasets.Conversions;
import org.ovss.datasets.PascalContextConverter;
import org.ovss.runner.eval.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss prepare}: the label maps the benchmarks need, converted from the files users download. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = {"Convert a benchmark's downloaded annotations into the label maps the evaluation reads, as the",
      "official converters do. Finished outputs are never rewritten: run again to resume a stopped conversion.",
      "coco-stuff:  annotations/{train,val}2017/*.png (stuffthingmaps_trainval2017) -> *_labelTrainIds.png, 171 classes",
      "coco-object: the same raw maps -> *_instanceTrainIds.png (GroupViT's convert_coco_object.py)",
      "cityscapes:  gtFine/**/*_gtFine_polygons.json -> *_gtFine_labelTrainIds.png (cityscapesScripts json2labelImg)",
      "context60, context59: VOC2010 + trainval_merged.json -> SegmentationClassContext/*.png and",
      "             ImageSets/SegmentationContext/{train,val}.txt (mmseg pascal_context.py; one set serves both)"})
final class PrepareCommand implements Runnable {
  private static final List<String> NAMES = List.of("coco-stuff", "coco-object", "cityscapes", "context60", "context59");

  @Parameters(index = "0", paramLabel = "DATASET", description = "coco-stuff, coco-object, cityscapes, context60 or context59")
  String what;

  @Option(names = "--data-root", required = true, description = "the dataset root: COCO-Stuff164k (holding annotations/),"
      + " Cityscapes (holding gtFine/), or VOCdevkit/VOC2010 for PASCAL Context")
  Path dataRoot;

  @Option(names = "--annotations", paramLabel = "FILE",
      description = "PASCAL Context: the Detail API's trainval_merged.json (default: DIR/trainval_merged.json)")
  Path annotations;

  @Override
  public void run() {
    if (!NAMES.contains(what)) {
      throw new UnknownNameException("preparation", what, NAMES);
    }
    if (!Files.isDirectory(dataRoot)) {
      throw new InvalidInputException("--data-root " + dataRoot + " is not a directory");
    }
    ProgressBar[] bar = {null};
    Conversions.Progress progress = (done, total) -> {
      if (bar[0] == null) {
        bar[0] = new ProgressBar(System.err, "prepare " + what, total);
      }
      bar[0].update(done, "");
    };
    Conversions.Report report;
    String wrote;
    switch (what) {
      case "coco-stuff" -> {
        report = CocoStuffConverter.convertDirectory(dataRoot.resolve("annotations"), progress);
        wrote = "COCO-Stuff label maps (*_labelTrainIds.png) under " + dataRoot.resolve("annotations");
      }
      case "coco-object" -> {
        report = CocoObjectConverter.convertDirectory(dataRoot.resolve("annotations"), progress);
        wrote = "COCO-Object label maps (*_instanceTrainIds.png) under " + dataRoot.resolve("annotations");
      }
      case "cityscapes" -> {
        report = CityscapesConverter.convertDirectory(dataRoot.resolve("gtFine"), progress);
        wrote = "Cityscapes label maps (*_gtFine_labelTrainIds.png) under " + dataRoot.resolve("gtFine");
      }
      default -> {
        Path json = annotations != null ? annotations : dataRoot.resolve("trainval_merged.json");
        if (!Files.isRegularFile(json)) {
          throw new InvalidInputException("PASCAL Context needs the Detail API's trainval_merged.json: not found at "
              + json + " (pass --annotations FILE)");
        }
        report = PascalContextConverter.convert(json, dataRoot, progress);
        wrote = "PASCAL Context label maps under " + dataRoot.resolve("SegmentationClassContext")
            + " and split files under " + dataRoot.resolve("ImageSets/SegmentationContext");
      }
    }
    System.out.println("wrote " + report.written() + " " + wrote + (report.skipped() > 0
        ? "; " + report.skipped() + " finished before were kept" : ""));
  }
}

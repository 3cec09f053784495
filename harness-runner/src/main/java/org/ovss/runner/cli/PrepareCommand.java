package org.ovss.runner.cli;

import java.nio.file.Path;
import org.ovss.api.UnknownNameException;
import org.ovss.datasets.CocoObjectConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss prepare}: derived label sets that the benchmarks need and nobody distributes. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = {"Derive label maps a benchmark needs from the files users download.",
      "coco-object: COCO-Object labels (*_instanceTrainIds.png) from the raw COCO-Stuff164k label maps,",
      "exactly as GroupViT's convert_coco_object.py (things +1; stuff and unlabeled 255 -> background 0)."})
final class PrepareCommand implements Runnable {

  @Parameters(index = "0", paramLabel = "WHAT", description = "what to prepare: coco-object")
  String what;

  @Option(names = "--data-root", required = true,
      description = "the COCO-Stuff164k root (holding images/ and annotations/train2017, annotations/val2017)")
  Path dataRoot;

  @Override
  public void run() {
    if (!"coco-object".equals(what)) {
      throw new UnknownNameException("preparation", what, java.util.List.of("coco-object"));
    }
    int written = CocoObjectConverter.convertDirectory(dataRoot.resolve("annotations"));
    System.out.println("wrote " + written + " COCO-Object label maps (*_instanceTrainIds.png) under " + dataRoot.resolve("annotations"));
  }
}

package org.ovss.runner.eval;

import java.util.List;
import java.util.Map;

/**
 * The {@code results.json} an evaluation writes. Schema (all keys always present):
 * <pre>
 * schema          "ovss-results/1"
 * method          method id;          methodName: display name
 * weights         path as given;      weightsSha256: hex digest of the file
 * dataset         dataset name;       datasetSpecSha256, splitSha256, images (count evaluated)
 * protocol        the resolved protocol (every field);  protocolSha256: hash of its canonical JSON
 * metrics         mIoU, mAcc, aAcc (percent)
 * classes         per class: name, iou, acc (fractions; null when the class never occurs)
 * provenance      harnessVersion, gitCommit, machine (os, arch, cores, java), startedAt, wallSeconds, imagesPerSecond
 * </pre>
 */
public record EvalResults(
    String schema,
    String method,
    String methodName,
    String weights,
    String weightsSha256,
    String dataset,
    String datasetSpecSha256,
    String splitSha256,
    long images,
    Object protocol,
    String protocolSha256,
    Map<String, Double> metrics,
    List<ClassResult> classes,
    Map<String, Object> provenance) {

  /** One row of the per-class table. */
  public record ClassResult(String name, Double iou, Double acc) {}
}

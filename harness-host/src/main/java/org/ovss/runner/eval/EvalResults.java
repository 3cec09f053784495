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
 * weightsLabel    a name for the weights (--weights-label; the demo's "trained" / "untrained"), or null
 * dataRoot        the dataset root evaluated, absolute (reports find images and ground truth there)
 * </pre>
 * The last two were added after the schema's first version; readers of {@code ovss-results/1} may find them absent.
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
    Map<String, Object> provenance,
    String weightsLabel,
    String dataRoot) {

  /** A result not yet told its weights label and data root ({@link #withSource}). */
  public EvalResults(String schema, String method, String methodName, String weights, String weightsSha256, String dataset,
      String datasetSpecSha256, String splitSha256, long images, Object protocol, String protocolSha256,
      Map<String, Double> metrics, List<ClassResult> classes, Map<String, Object> provenance) {
    this(schema, method, methodName, weights, weightsSha256, dataset, datasetSpecSha256, splitSha256, images, protocol,
        protocolSha256, metrics, classes, provenance, null, null);
  }

  public EvalResults withSource(String label, String root) {
    return new EvalResults(schema, method, methodName, weights, weightsSha256, dataset, datasetSpecSha256, splitSha256,
        images, protocol, protocolSha256, metrics, classes, provenance, label, root);
  }

  /** One row of the per-class table. */
  public record ClassResult(String name, Double iou, Double acc) {}
}

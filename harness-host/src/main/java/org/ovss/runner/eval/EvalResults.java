package org.ovss.runner.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.ClassPrompt;
import org.ovss.api.MethodInfo;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.leaderboards.ProtocolHash;
import org.ovss.runner.metrics.SegmentationMetrics;
import org.ovss.runner.protocol.Protocols;

/**
 * The {@code results.json} an evaluation writes. Schema (all keys always present):
 * <pre>
 * schema          "ovss-results/1"
 * method          method id;          methodName: display name
 * weights         path as given;      weightsSha256: hex digest of the file
 * dataset         dataset name;       datasetSpecSha256, splitSha256, images (count evaluated)
 * protocol        the resolved protocol (every field, its paper and source included)
 * protocolSha256  hash of the protocol's name and values (leaderboards' ProtocolHash; not its description or citation)
 * protocolHashVersion  2 (that definition; results without it were hashed over every field and are re-keyed by the
 *                 store)
 * protocolCitation  where the protocol comes from: the paper by authors, title, venue, year and arXiv id, then the
 *                 section or the official code at its commit
 * metrics         mIoU, mAcc, aAcc (percent)
 * classes         per class: name, iou, acc (fractions; null when the class never occurs)
 * provenance      harnessVersion, gitCommit, machine (os, arch, cores, java), startedAt, wallSeconds, imagesPerSecond,
 *                 execution (engine, precision, device, ep: how the encoders ran; int8 also changes the protocol's hash)
 * weightsLabel    a name for the weights (--weights-label; the demo's "trained" / "untrained"), or null
 * dataRoot        the dataset root evaluated, absolute (reports find images and ground truth there)
 * datasetVersion  the version of a generated dataset ("ovss-synth/2" for the synthetic benchmark), or null
 * </pre>
 * The last three and protocolHashVersion, protocolCitation were added after the schema's first version; readers of
 * {@code ovss-results/1} may find them absent.
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
    int protocolHashVersion,
    String protocolCitation,
    Map<String, Double> metrics,
    List<ClassResult> classes,
    Map<String, Object> provenance,
    String weightsLabel,
    String dataRoot,
    String datasetVersion) {

  /** A result not yet told its weights label and data root ({@link #withSource}). */
  public EvalResults(String schema, String method, String methodName, String weights, String weightsSha256, String dataset,
      String datasetSpecSha256, String splitSha256, long images, Object protocol, String protocolSha256,
      String protocolCitation, Map<String, Double> metrics, List<ClassResult> classes, Map<String, Object> provenance) {
    this(schema, method, methodName, weights, weightsSha256, dataset, datasetSpecSha256, splitSha256, images, protocol,
        protocolSha256, ProtocolHash.VERSION, protocolCitation, metrics, classes, provenance, null, null, null);
  }

  /** This result with its weights label, data root and the data root's dataset version (null when none). */
  public EvalResults withSource(String label, String root, String version) {
    return new EvalResults(schema, method, methodName, weights, weightsSha256, dataset, datasetSpecSha256, splitSha256,
        images, protocol, protocolSha256, protocolHashVersion, protocolCitation, metrics, classes, provenance, label, root,
        version);
  }

  /** One row of the per-class table. */
  public record ClassResult(String name, Double iou, Double acc) {}

  /** The results of an evaluation: every metric (NaN as null), each class's IoU and accuracy, protocol and provenance. */
  static EvalResults assemble(MethodInfo info, List<ClassPrompt> classes, DatasetSpec spec, DatasetIndex index, Protocols.Resolved resolved,
      SegmentationMetrics m, Map<String, Double> extra, String weights, String weightsSha256, Instant startedAt,
      double wall) {
    List<EvalResults.ClassResult> rows = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      rows.add(new EvalResults.ClassResult(classes.get(c).name(), finite(m.classIoU()[c]), finite(m.classAcc()[c])));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mIoU", finite(m.mIoU()));
    metrics.put("mAcc", finite(m.mAcc()));
    metrics.put("aAcc", finite(m.aAcc()));
    extra.forEach((id, v) -> metrics.put(id, finite(v)));
    Map<String, Object> provenance = Provenance.describe();
    provenance.put("startedAt", startedAt.toString());
    provenance.put("wallSeconds", wall);
    provenance.put("imagesPerSecond", m.images() / Math.max(wall, 1e-9));
    Object protocol;
    try {
      protocol = new ObjectMapper().readValue(resolved.canonicalJson(), Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return new EvalResults("ovss-results/1", info.id(), info.displayName(), weights, weightsSha256,
        spec.name(), spec.contentHash(), index.splitHash(), m.images(), protocol, resolved.hash(),
        resolved.protocol().citation(), metrics, rows, provenance);
  }

  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }
}

package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.ovss.api.ImageContext;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.UnknownNameException;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.nn.Bilinear;
import org.ovss.runner.image.RgbImage;
import org.ovss.runner.protocol.Protocol;

/**
 * From a window-aggregated score map to one image's label map: the protocol's class decision (logit scale, softmax,
 * synonym max, thresholds, post-processors), or a method's own background rule, a band of rows at a time where no step
 * needs the whole image.
 */
final class LabelDecoding {
  /** A label map at the image's original size, with each pixel's label score when asked for (else null). */
  record Prediction(int[] labels, float[] confidence, int height, int width) {}

  /** Scores per pixel are at most this many floats at a time (4 MB) when no step needs the whole image. */
  private static final long BAND_ELEMENTS = 1L << 20;

  private LabelDecoding() {}

  /**
   * Labels from the aggregated scores, a band of rows at a time: {@code toLabels} maps a band's scores
   * [pixels, channels] to the band's labels. The band's products add to {@code times[0]} (aggregation), the rest to
   * {@code times[1]} (post-processing).
   */
  private static Prediction banded(NDManager scope, SlideInference.Aggregation agg, Function<NDArray, int[]> toLabels,
      BiFunction<NDArray, int[], float[]> toConfidence, long[] times) {
    int h = agg.height();
    int w = agg.width();
    int[] labels = new int[h * w];
    float[] confidence = toConfidence == null ? null : new float[h * w];
    int rows = (int) Math.max(1, Math.min(h, BAND_ELEMENTS / ((long) agg.channels() * w)));
    for (int y0 = 0; y0 < h; y0 += rows) {
      int y1 = Math.min(h, y0 + rows);
      try (NDManager band = scope.newSubManager()) {
        long t0 = System.nanoTime();
        NDArray scores = agg.band(band, y0, y1); // [(y1 - y0) * w, channels]
        long t1 = System.nanoTime();
        int[] part = toLabels.apply(scores);
        System.arraycopy(part, 0, labels, y0 * w, part.length);
        if (confidence != null) {
          System.arraycopy(toConfidence.apply(scores, part), 0, confidence, y0 * w, part.length);
        }
        times[0] += t1 - t0;
        times[1] += System.nanoTime() - t1;
      }
    }
    return new Prediction(labels, confidence, h, w);
  }

  /**
   * Labels (and their scores when {@code confidence}) of one image from its aggregated query scores: logit scale,
   * softmax, synonym max, the probability / background threshold, PAMR, DenseCRF and the area threshold as the
   * protocol sets them; {@code normalized} is the protocol's resize of {@code rgb} at {@code size}, normalised.
   */
  static Prediction decode(NDManager scope, Protocol p, RgbImage rgb, int[] size, float[] normalized,
      SlideInference.Aggregation agg, QueryEmbeddings queries, PostProcessor pamr, PostProcessor crf, long[] times,
      boolean confidence) {
    int h = rgb.height();
    int w = rgb.width();
    double threshold = Math.max(p.probThreshold(), p.bgThreshold() == null ? 0 : p.bgThreshold());
    // Without a threshold or a step that needs probabilities, the label is the class of the top query.
    boolean topQuery = crf == null && p.areaThreshold() == null && threshold <= 0 && p.logitScale() > 0;
    if (pamr == null && crf == null && p.areaThreshold() == null) {
      // Every remaining step is per pixel: no image-sized array of every query is needed.
      return banded(scope, agg, scores -> topQuery
          ? ClassScores.topQueryClass(scores, 1, queries.queryClass())
          : ClassScores.labels(ClassScores.classProbabilities(
              scores.transpose(), p.logitScale(), queries.queryClass(), queries.classCount()), threshold),
          !confidence ? null : (scores, labels) -> ClassScores.labelScores(ClassScores.classProbabilities(
              scores.transpose(), p.logitScale(), queries.queryClass(), queries.classCount()), labels), times);
    }
    long aggStart = System.nanoTime();
    NDArray logits = agg.full(); // [Q, H, W]
    long start = System.nanoTime();
    times[0] += start - aggStart;
    ImageContext context = null;
    if (pamr != null || crf != null) {
      // SCLIP refines with the normalised input resized back to the original size.
      float[] back = Bilinear.planar(normalized, 3, size[0], size[1], h, w);
      context = new ImageContext(h, w, rgb.pixels(), back);
    }
    if (pamr != null) {
      int q = (int) logits.getShape().get(0);
      logits = scope.create(pamr.refine(logits.toFloatArray(), q, h, w, context), new Shape(q, h, w));
    }
    if (topQuery) {
      int[] labels = ClassScores.topQueryClass(logits, 0, queries.queryClass());
      float[] scores = !confidence ? null : ClassScores.labelScores(ClassScores.classProbabilities(
          logits, p.logitScale(), queries.queryClass(), queries.classCount()), labels);
      Prediction pred = new Prediction(labels, scores, h, w);
      times[1] += System.nanoTime() - start;
      return pred;
    }
    NDArray probs = ClassScores.classProbabilities(logits, p.logitScale(), queries.queryClass(), queries.classCount());
    if (crf != null) {
      int c = queries.classCount();
      probs = scope.create(crf.refine(probs.toFloatArray(), c, h, w, context), new Shape(c, h, w));
    }
    if (p.areaThreshold() != null) {
      probs = ClassScores.applyAreaThreshold(probs, p.areaThreshold());
    }
    int[] labels = ClassScores.labels(probs, threshold);
    Prediction pred = new Prediction(labels, confidence ? ClassScores.labelScores(probs, labels) : null, h, w);
    times[1] += System.nanoTime() - start;
    return pred;
  }

  /**
   * GroupViT / SegCLIP {@code encode_decode} with background, window by window, averaged, resized and
   * argmaxed: channel 0 is class 0 (background), channel 1 + q the class of query q plus one (synonyms by
   * max). Logit scale, probability and area thresholds and post-processing do not apply to these scores.
   */
  static Prediction decodeWithBackground(NDManager scope, SlideInference.Aggregation agg,
      QueryEmbeddings queries, long[] times, boolean confidence) {
    int[] channelClass = new int[1 + queries.queryCount()];
    for (int q = 0; q < queries.queryCount(); q++) {
      channelClass[1 + q] = 1 + queries.queryClass()[q];
    }
    Function<NDArray, NDArray> perClass =
        scores -> ClassScores.maxPerClass(scores.transpose(), channelClass, 1 + queries.classCount());
    return banded(scope, agg, scores -> ClassScores.labels(perClass.apply(scores), 0),
        !confidence ? null : (scores, labels) -> ClassScores.labelScores(perClass.apply(scores), labels), times);
  }

  /** The post-processor plugin {@code id} with {@code params}; an unknown id is refused listing the known ones. */
  static PostProcessor postProcessor(String id, Map<String, String> params) {
    List<String> ids = new ArrayList<>();
    for (PostProcessorProvider provider : PluginRegistry.get().all(PostProcessorProvider.class)) {
      if (provider.id().equals(id)) {
        return provider.create(params);
      }
      ids.add(provider.id());
    }
    throw new UnknownNameException("post-processor", id, ids);
  }
}

package org.ovss.runner.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.MethodConfig;
import org.ovss.api.Papers;
import org.ovss.runner.image.CvResize;

/**
 * A fully resolved evaluation protocol (one dataset, overrides applied). Field names are the JSON keys of
 * the protocol files under {@code META-INF/ovss/protocols/} (of the harness and its plugins).
 *
 * @param name the protocol's name (hashed: boards and comparisons select results by it)
 * @param description what the protocol is, in words (not hashed)
 * @param paper key in the citation registry ({@link org.ovss.api.Papers}) of the paper the protocol follows, or null
 *     (not hashed)
 * @param source where in that paper, or which official code at which commit, the values come from (not hashed)
 * @param shortSide images are resized so the short side is this (mmcv {@code Resize(scale=(longSide, shortSide), keep_ratio=True)})
 * @param longSide cap of the long side
 * @param mode {@code slide} or {@code whole}
 * @param crop sliding-window side
 * @param stride sliding-window stride
 * @param prompts prompt set name or file
 * @param classNames {@code default} (SCLIP name files with synonyms) or {@code alt} (GroupViT/SegCLIP names)
 * @param normalization {@code clip}, {@code imagenet} or {@code method} (the method's own input spec)
 * @param logitScale multiplier of the cosine logits before the softmax over queries
 * @param probThreshold pixels whose top class probability is below it become class 0
 * @param areaThreshold SCLIP's area threshold, or null
 * @param bgThreshold background when the top probability is below it (GroupViT/SegCLIP), or null
 * @param pamr PAMR parameters, or null when off
 * @param crf DenseCRF parameters, or null when off
 * @param featureMetrics ids of {@link org.ovss.api.FeatureMetric}s of the dense features to report beside
 *     mIoU (CLIPpy's {@code grouping-jaccard}), or null for none
 * @param keepRatio false: every image is resized to {@code shortSide x shortSide}, its aspect ratio ignored
 *     (torchvision {@code Resize((s, s))}, SimSeg's evaluation); null or true: the aspect-preserving resize above.
 *     Left out of the canonical JSON when null, so protocols without it keep their hashes.
 * @param methodOptions method options ({@code -o NAME=VALUE}) the protocol sets, by method id (SimSeg's official
 *     {@code top-classes} on COCO-Object, say); the user's own options win. Null for none (left out as above).
 */
public record Protocol(
    String name,
    String description,
    String paper,
    String source,
    int shortSide,
    int longSide,
    String mode,
    int crop,
    int stride,
    String prompts,
    String classNames,
    String normalization,
    double logitScale,
    double probThreshold,
    Double areaThreshold,
    Double bgThreshold,
    Map<String, String> pamr,
    Map<String, String> crf,
    List<String> featureMetrics,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean keepRatio,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, String>> methodOptions) {

  /**
   * The full citation, as results.json keeps it beside the hash: the paper by authors, title, venue, year and arXiv
   * id, then {@link #source}; the source alone when the protocol names no paper.
   */
  public String citation() {
    String s = source == null ? "" : source;
    if (paper == null) {
      return s;
    }
    String reference = Papers.get(paper).citation();
    return s.isEmpty() ? reference : reference + "; " + s;
  }

  public boolean slide() {
    return "slide".equals(mode);
  }

  /** The size [height, width] an image of {@code height x width} is resized to before inference. */
  public int[] resizedSize(int height, int width) {
    return Boolean.FALSE.equals(keepRatio)
        ? new int[] {shortSide, shortSide}
        : CvResize.rescaleSize(height, width, longSide, shortSide);
  }

  /** {@code given} with the options this protocol sets for {@code methodId} added under the user's own. */
  public MethodConfig methodConfig(String methodId, MethodConfig given) {
    Map<String, String> own = methodOptions == null ? null : methodOptions.get(methodId);
    if (own == null || own.isEmpty()) {
      return given;
    }
    Map<String, String> merged = new HashMap<>(own);
    merged.putAll(given.options());
    return given.withOptions(merged);
  }
}

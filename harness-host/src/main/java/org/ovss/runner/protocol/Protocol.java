package org.ovss.runner.protocol;

import java.util.List;
import java.util.Map;

/**
 * A fully resolved evaluation protocol (one dataset, overrides applied). Field names are the JSON keys of
 * the protocol files under {@code META-INF/ovss/protocols/} (of the harness and its plugins).
 *
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
 */
public record Protocol(
    String name,
    String description,
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
    List<String> featureMetrics) {

  public boolean slide() {
    return "slide".equals(mode);
  }
}

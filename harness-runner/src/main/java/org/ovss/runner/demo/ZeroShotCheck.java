package org.ovss.runner.demo;

import java.nio.file.Path;
import org.ovss.api.PromptSet;
import org.ovss.clip.method.ZeroShotClassifier;
import org.ovss.datasets.synth.SyntheticBenchmark;

/** The demo's check that its CLIP learned the shapes: zero-shot classification of the synthetic val images. */
public final class ZeroShotCheck {
  private ZeroShotCheck() {}

  /** Zero-shot shape classification of the val images that show exactly one shape. */
  public static double accuracy(Path weights, Path data) {
    return accuracy(weights, new CaptionedImages(data, "val").singleShapes());
  }

  /** Zero-shot shape classification of {@code val} (NaN when it holds no image). */
  public static double accuracy(Path weights, CaptionedImages.SingleShapes val) {
    if (val.images().isEmpty()) {
      return Double.NaN;
    }
    try (ZeroShotClassifier classifier = new ZeroShotClassifier(weights, SyntheticBenchmark.SHAPES, PromptSet.named("synth"))) {
      return classifier.accuracy(val.images(), val.labels());
    }
  }
}

package org.ovss.runner.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ovss.api.PromptSet;
import org.ovss.clip.method.ZeroShotClassifier;
import org.ovss.datasets.synth.SyntheticBenchmark;

/** The demo's check that its CLIP learned the shapes: zero-shot classification of the synthetic val images. */
public final class ZeroShotCheck {
  private ZeroShotCheck() {}

  /** Zero-shot shape classification of the val images that show exactly one shape. */
  public static double accuracy(Path weights, Path data) {
    CaptionedImages val = new CaptionedImages(data, "val");
    List<float[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < val.size(); i++) {
      List<String> shapes = val.record(i).shapes();
      if (shapes.size() == 1) {
        images.add(val.image(i));
        labels.add(SyntheticBenchmark.SHAPES.indexOf(shapes.get(0)));
      }
    }
    if (images.isEmpty()) {
      return Double.NaN;
    }
    try (ZeroShotClassifier classifier = new ZeroShotClassifier(weights, SyntheticBenchmark.SHAPES, PromptSet.named("synth"))) {
      return classifier.accuracy(images, labels.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}

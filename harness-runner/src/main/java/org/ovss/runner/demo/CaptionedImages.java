package org.ovss.runner.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.synth.SyntheticBenchmark;
import org.ovss.runner.image.ImageFiles;
import org.ovss.runner.image.RgbImage;

/**
 * Image-caption pairs of a generated synthetic benchmark ({@code captions.jsonl} + {@code JPEGImages/ID.png}),
 * decoded lazily so that memory does not grow with the number of pairs.
 */
public final class CaptionedImages implements ImageTextSource {
  private final Path root;
  private final List<SyntheticBenchmark.CaptionRecord> records;
  private final int height;
  private final int width;

  /** The pairs of one split ({@code train} or {@code val}); all images of a benchmark share one size. */
  public CaptionedImages(Path root, String split) {
    this.root = root;
    this.records = SyntheticBenchmark.readCaptions(root).stream().filter(r -> r.split().equals(split)).toList();
    if (records.isEmpty()) {
      throw new InvalidInputException(root + " has no " + split + " pairs in its captions.jsonl");
    }
    RgbImage first = ImageFiles.read(imagePath(0));
    height = first.height();
    width = first.width();
  }

  private Path imagePath(int index) {
    return root.resolve("JPEGImages").resolve(records.get(index).id() + ".png");
  }

  public SyntheticBenchmark.CaptionRecord record(int index) {
    return records.get(index);
  }

  /**
   * The images that show exactly one shape, each with its shape's index in {@link SyntheticBenchmark#SHAPES}: what
   * the demo's zero-shot shape classification is measured on.
   */
  public SingleShapes singleShapes() {
    List<float[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      List<String> shapes = record(i).shapes();
      if (shapes.size() == 1) {
        images.add(image(i));
        labels.add(SyntheticBenchmark.SHAPES.indexOf(shapes.get(0)));
      }
    }
    return new SingleShapes(images, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Images (RGB in [0, 1], [3, H, W] each) and their shape indices. */
  public record SingleShapes(List<float[]> images, int[] labels) {}

  @Override
  public int size() {
    return records.size();
  }

  @Override
  public float[] image(int index) {
    RgbImage image = ImageFiles.read(imagePath(index));
    if (image.height() != height || image.width() != width) {
      throw new InvalidInputException("image " + imagePath(index) + " is " + image.height() + "x" + image.width()
          + ", unlike the benchmark's " + height + "x" + width);
    }
    float[] px = image.pixels();
    for (int i = 0; i < px.length; i++) {
      px[i] /= 255f;
    }
    return px;
  }

  @Override
  public int imageHeight(int index) {
    return height;
  }

  @Override
  public int imageWidth(int index) {
    return width;
  }

  @Override
  public List<String> captions(int index) {
    return records.get(index).captions();
  }

  /** The background ("stuff") class: batches of one background must be told apart by their shapes. */
  @Override
  public String group(int index) {
    return records.get(index).stuff();
  }

  /** The shape words, singular and plural: what a caption's hard negative swaps. */
  @Override
  public List<List<String>> contrastWords() {
    return List.of(SyntheticBenchmark.SHAPES, SyntheticBenchmark.SHAPE_PLURALS);
  }
}

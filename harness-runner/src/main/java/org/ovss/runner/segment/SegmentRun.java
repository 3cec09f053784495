package org.ovss.runner.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.OvssException;
import org.ovss.api.SegmentationMethod;
import org.ovss.datasets.AtomicFiles;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.LabelMaps;
import org.ovss.reports.SegmentPage;
import org.ovss.runner.eval.Evaluator;
import org.ovss.runner.eval.ProgressBar;
import org.ovss.runner.image.ImageFiles;
import org.ovss.runner.image.RgbImage;
import org.ovss.runner.protocol.Protocols;

/**
 * {@code ovss segment}: a method on the user's own images with the user's own class names. Per image
 * {@code STEM.png} (palette label map of the image's size, as {@code ovss eval --save-predictions} writes),
 * {@code STEM.overlay.png} and {@code STEM.json} (classes present, pixel shares, mean confidence); an image that
 * cannot be read is named and skipped.
 */
public final class SegmentRun {
  private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".bmp");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SegmentRun() {}

  /**
   * What to segment.
   *
   * @param vocabulary the classes ({@link Vocabulary#spec})
   * @param protocol protocol name or file, null for the method's default
   * @param overrides protocol overrides by field
   * @param inputs images, or folders whose images (by suffix, sorted by name) are taken
   */
  public record Request(MethodProvider provider, MethodConfig config, DatasetSpec vocabulary, String protocol,
      Map<String, String> overrides, List<Path> inputs, Path out, int windowBatch, boolean html) {}

  /** The images done and those that failed (path and reason). */
  public record Outcome(int written, Map<Path, String> failed) {}

  /** The input images in order: files as given, folders' image files sorted by name. */
  static List<Path> listImages(List<Path> inputs) {
    List<Path> images = new ArrayList<>();
    for (Path in : inputs) {
      if (Files.isDirectory(in)) {
        try (Stream<Path> files = Files.list(in)) {
          files.filter(f -> Files.isRegularFile(f) && IMAGE_SUFFIXES.stream()
              .anyMatch(s -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(s)))
              .sorted().forEach(images::add);
        } catch (IOException e) {
          throw new InvalidInputException("cannot list input folder " + in + ": " + e.getMessage(), e);
        }
      } else if (Files.exists(in)) {
        images.add(in);
      } else {
        throw new InvalidInputException("input " + in + " does not exist");
      }
    }
    if (images.isEmpty()) {
      throw new InvalidInputException("no images (" + String.join(", ", IMAGE_SUFFIXES) + ") in " + inputs);
    }
    Map<String, Path> stems = new HashMap<>();
    for (Path image : images) {
      Path other = stems.put(stem(image), image);
      if (other != null) {
        throw new InvalidInputException("inputs " + other + " and " + image + " would both write " + stem(image)
            + ".png; segment them into different --out folders");
      }
    }
    return images;
  }

  static String stem(Path image) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** Segments every input; progress and failures go to {@code console}. */
  public static Outcome run(Request r, PrintStream console) {
    List<Path> images = listImages(r.inputs());
    if (r.windowBatch() <= 0) {
      throw new InvalidInputException("--window-batch must be positive, got " + r.windowBatch());
    }
    String protocolName = r.protocol() == null ? r.provider().info().defaultProtocol() : r.protocol();
    Protocols.Resolved resolved = Protocols.resolve(protocolName, r.vocabulary().name(), r.overrides());
    try {
      Files.createDirectories(r.out());
      AtomicFiles.removeLeftovers(r.out());
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the output directory " + r.out() + ": " + e.getMessage(), e);
    }
    DatasetSpec vocabulary = r.vocabulary();
    int[][] palette = vocabulary.palette();
    Map<Path, String> failed = new java.util.LinkedHashMap<>();
    List<SegmentPage.Entry> entries = new ArrayList<>();
    ProgressBar bar = new ProgressBar(console, "segment " + r.provider().id(), images.size());
    int written = 0;
    try (SegmentationMethod m = r.provider().open(r.config())) {
      Evaluator evaluator = Evaluator.forImages(m, vocabulary, resolved, r.windowBatch());
      String confidenceKind = evaluator.ownBackgroundRule()
          ? "the score the method's background rule compares (not a probability)"
          : "class probability (softmax over the queries at the protocol's logit scale, max over synonyms)";
      for (int i = 0; i < images.size(); i++) {
        Path image = images.get(i);
        RgbImage rgb;
        try {
          rgb = ImageFiles.read(image);
        } catch (OvssException e) {
          failed.put(image, e.getMessage());
          console.println((i == 0 ? "" : "\n") + "error: " + e.getMessage());
          entries.add(new SegmentPage.Entry(image.getFileName().toString(), null, null, List.of(), e.getMessage()));
          bar.update(i + 1, failed.size() + " failed");
          continue;
        }
        Evaluator.Segmentation s = evaluator.segment(rgb);
        List<ClassShare> present = present(s, vocabulary);
        String stem = stem(image);
        LabelMaps.writePalettePng(r.out().resolve(stem + ".png"), s.labels(), s.height(), s.width(), palette);
        List<SegmentOverlay.Row> legend = present.stream().map(c -> new SegmentOverlay.Row(
            vocabulary.classes().get(c.index()).name(), palette[c.index()], c.share(), c.meanConfidence())).toList();
        writePng(r.out().resolve(stem + ".overlay.png"), SegmentOverlay.draw(rgb, s.labels(), palette, legend));
        writeJson(r.out().resolve(stem + ".json"), image, s, present, vocabulary, r, resolved, confidenceKind);
        entries.add(new SegmentPage.Entry(image.getFileName().toString(), href(r.out(), image), stem + ".overlay.png",
            legend.stream().map(l -> new SegmentPage.LegendRow(l.name(), l.rgb(), l.share(), l.meanConfidence()))
                .toList(), null));
        written++;
        bar.update(i + 1, failed.isEmpty() ? "" : failed.size() + " failed");
      }
    }
    if (r.html()) {
      List<String> facts = List.of("method " + r.provider().id() + ", weights "
          + r.config().weights().map(Path::toString).orElse("-"), "protocol " + resolved.protocol().name()
          + " (sha256 " + resolved.hash().substring(0, 12) + ")", "classes: " + String.join(", ",
          vocabulary.classes().stream().map(c -> String.join(";", c.queries())).toList()),
          written + " images segmented, " + failed.size() + " unreadable");
      try {
        AtomicFiles.writeString(r.out().resolve("index.html"),
            SegmentPage.render("ovss segment: " + r.provider().id(), facts, entries));
      } catch (IOException e) {
        throw new InvalidInputException("cannot write " + r.out().resolve("index.html") + ": " + e.getMessage(), e);
      }
    }
    return new Outcome(written, failed);
  }

  /** One class present in an image. */
  record ClassShare(int index, long pixels, double share, double meanConfidence) {}

  /** The classes present, largest share first (ties by class index). */
  static List<ClassShare> present(Evaluator.Segmentation s, DatasetSpec vocabulary) {
    int c = vocabulary.classCount();
    long[] count = new long[c];
    double[] confidence = new double[c];
    int[] labels = s.labels();
    float[] conf = s.confidence();
    for (int i = 0; i < labels.length; i++) {
      count[labels[i]]++;
      confidence[labels[i]] += conf[i];
    }
    List<ClassShare> out = new ArrayList<>();
    for (int k = 0; k < c; k++) {
      if (count[k] > 0) {
        out.add(new ClassShare(k, count[k], (double) count[k] / labels.length, confidence[k] / count[k]));
      }
    }
    out.sort(Comparator.comparingLong(ClassShare::pixels).reversed().thenComparingInt(ClassShare::index));
    return out;
  }

  private static void writeJson(Path file, Path image, Evaluator.Segmentation s, List<ClassShare> present,
      DatasetSpec vocabulary, Request r, Protocols.Resolved resolved, String confidenceKind) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", "ovss-segment/1");
    root.put("image", image.toString());
    root.put("height", s.height());
    root.put("width", s.width());
    root.put("method", r.provider().id());
    root.put("weights", r.config().weights().map(Path::toString).orElse(null));
    root.put("protocolSha256", resolved.hash());
    try {
      root.set("protocol", JSON.readTree(resolved.canonicalJson()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    root.put("confidence", confidenceKind);
    ArrayNode vocab = root.putArray("vocabulary");
    vocabulary.classes().forEach(c -> {
      ObjectNode n = vocab.addObject();
      n.put("name", c.name());
      c.queries().forEach(n.putArray("queries")::add);
    });
    ArrayNode classes = root.putArray("classes");
    for (ClassShare c : present) {
      ObjectNode n = classes.addObject();
      n.put("index", c.index());
      n.put("name", vocabulary.classes().get(c.index()).name());
      n.put("pixels", c.pixels());
      n.put("share", c.share());
      n.put("meanConfidence", c.meanConfidence());
    }
    try {
      AtomicFiles.writeString(file, JSON.writeValueAsString(root));
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writePng(Path file, BufferedImage image) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(image, "png", bytes);
      AtomicFiles.write(file, bytes.toByteArray());
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The image's address from the output folder (relative when both are on one file system root). */
  private static String href(Path out, Path image) {
    Path from = out.toAbsolutePath().normalize();
    Path to = image.toAbsolutePath().normalize();
    try {
      return new java.net.URI(null, null, from.relativize(to).toString().replace('\\', '/'), null).toASCIIString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return to.toUri().toString();
    }
  }
}

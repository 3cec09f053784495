package org.ovss.runner.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ovss.api.OvssException;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.datasets.LabelMaps;
import org.ovss.datasets.Sample;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Comparison;
import org.ovss.leaderboards.StoredResult;
import org.ovss.reports.ComparisonReport;
import org.ovss.reports.Overlay;

/**
 * Qualitative panels for the reports: image, ground truth and predictions, downscaled to thumbnails and encoded as
 * PNG. Predictions come from the palette PNGs a run saved ({@code --save-predictions}); images and ground truth
 * from the dataset under the run's recorded data root. A run without either simply has no overlays.
 */
public final class Overlays {
  /** Longest side of a thumbnail: keeps a report with dozens of overlays at a few hundred kilobytes. */
  static final int THUMBNAIL = 128;

  private final PrintStream warnings;
  private final Map<String, Optional<Dataset>> datasets = new HashMap<>();

  public Overlays(PrintStream warnings) {
    this.warnings = warnings;
  }

  private record Dataset(DatasetSpec spec, Map<String, Sample> samples) {}

  /**
   * Per board row, the first {@code perRow} images (by id) of the first column whose run saved predictions, so
   * every row shows the same images where it can.
   */
  public Map<String, List<Overlay>> forBoard(BoardTable table, int perRow) {
    Map<String, List<Overlay>> out = new LinkedHashMap<>();
    if (perRow <= 0) {
      return out;
    }
    for (BoardTable.Row row : table.rows()) {
      for (BoardTable.Cell cell : row.cells()) {
        StoredResult r = cell.result();
        Optional<Dataset> d = r == null ? Optional.empty() : dataset(r);
        List<String> ids = r == null ? List.of() : predictionIds(r);
        if (d.isEmpty() || ids.isEmpty()) {
          continue;
        }
        List<Overlay> overlays = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(perRow, ids.size()))) {
          Sample s = d.get().samples().get(id);
          if (s == null) {
            continue;
          }
          try {
            BufferedImage image = read(s.image());
            overlays.add(new Overlay(r.dataset(), id, null, List.of(new Overlay.Panel("image", thumbnail(image, true)),
                new Overlay.Panel("ground truth", groundTruth(s, d.get().spec(), image)),
                new Overlay.Panel("prediction", thumbnail(read(prediction(r, id)), false)))));
          } catch (OvssException e) {
            // A dataset changed since the run must not cost the whole report its tables.
            warnings.println("report: no overlay of " + r.dataset() + " " + id + ": " + e.getMessage());
          }
        }
        if (!overlays.isEmpty()) {
          out.put(row.key(), overlays);
          break;
        }
      }
    }
    return out;
  }

  /**
   * The {@code count} images, over all datasets both sides saved predictions for, whose predicted label maps
   * differ in the largest share of pixels; each with image, ground truth and both predictions.
   */
  public List<ComparisonReport.Disagreement> disagreements(Comparison comparison, int count) {
    List<ComparisonReport.Disagreement> scored = new ArrayList<>();
    if (count <= 0) {
      return scored;
    }
    record Scored(Comparison.DatasetDiff diff, String id, double fraction) {}
    List<Scored> all = new ArrayList<>();
    for (Comparison.DatasetDiff d : comparison.datasets()) {
      if (d.a() == null || d.b() == null) {
        continue;
      }
      List<String> ids = new ArrayList<>(predictionIds(d.a()));
      ids.retainAll(predictionIds(d.b()));
      for (String id : ids) {
        int[] a = labels(prediction(d.a(), id));
        int[] b = labels(prediction(d.b(), id));
        if (a.length != b.length || a.length == 0) {
          continue;
        }
        int differ = 0;
        for (int i = 0; i < a.length; i++) {
          differ += a[i] != b[i] ? 1 : 0;
        }
        all.add(new Scored(d, id, differ / (double) a.length));
      }
    }
    all.sort(Comparator.comparingDouble(Scored::fraction).reversed().thenComparing(Scored::id));
    for (Scored s : all.subList(0, Math.min(count, all.size()))) {
      StoredResult a = s.diff().a();
      List<Overlay.Panel> panels = new ArrayList<>();
      Optional<Dataset> d = dataset(a);
      Sample sample = d.map(x -> x.samples().get(s.id())).orElse(null);
      if (sample != null) {
        try {
          BufferedImage image = read(sample.image());
          byte[] truth = groundTruth(sample, d.get().spec(), image);
          panels.add(new Overlay.Panel("image", thumbnail(image, true)));
          panels.add(new Overlay.Panel("ground truth", truth));
        } catch (OvssException e) {
          warnings.println("report: no image of " + s.diff().dataset() + " " + s.id() + ": " + e.getMessage());
        }
      }
      panels.add(new Overlay.Panel(comparison.a().text(), thumbnail(read(prediction(a, s.id())), false)));
      panels.add(new Overlay.Panel(comparison.b().text(), thumbnail(read(prediction(s.diff().b(), s.id())), false)));
      String caption = String.format(java.util.Locale.ROOT, "%.1f%% of pixels differ", 100 * s.fraction());
      scored.add(new ComparisonReport.Disagreement(s.diff().dataset(), s.id(), s.fraction(),
          new Overlay(s.diff().dataset(), s.id(), caption, panels)));
    }
    return scored;
  }

  private static Path prediction(StoredResult r, String id) {
    return r.predictions().resolve(id + ".png");
  }

  /** Ids of the saved predictions of a run, sorted; empty when it saved none. */
  static List<String> predictionIds(StoredResult r) {
    Path dir = r.predictions();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dataset of a run under its recorded root, or empty (with one warning) when it cannot be opened. */
  private Optional<Dataset> dataset(StoredResult r) {
    if (r.dataRoot() == null) {
      return Optional.empty();
    }
    return datasets.computeIfAbsent(r.dataset() + "\n" + r.dataRoot(), k -> {
      try {
        DatasetSpec spec = DatasetSpecs.get(r.dataset());
        Map<String, Sample> samples = new HashMap<>();
        DatasetIndex.open(spec, Path.of(r.dataRoot())).samples().forEach(s -> samples.put(s.id(), s));
        return Optional.of(new Dataset(spec, samples));
      } catch (OvssException e) {
        warnings.println("report: no overlays for " + r.dataset() + " under " + r.dataRoot() + ": " + e.getMessage());
        return Optional.empty();
      }
    });
  }

  private static BufferedImage read(Path file) {
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new OvssException("cannot decode image " + file);
      }
      return img;
    } catch (IOException e) {
      throw new OvssException("cannot read image " + file + ": " + e.getMessage(), e);
    }
  }

  /** The raw palette indices of a prediction PNG. */
  private static int[] labels(Path png) {
    BufferedImage img = read(png);
    return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
  }

  /** Ground truth coloured with the dataset palette; ignored pixels white. */
  private static byte[] groundTruth(Sample s, DatasetSpec spec, BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    int[] labels = LabelMaps.read(s.label(), spec, h, w);
    int[][] palette = spec.palette();
    BufferedImage gt = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < labels.length; i++) {
      int v = labels[i];
      int rgb = v >= 0 && v < palette.length ? (palette[v][0] << 16) | (palette[v][1] << 8) | palette[v][2] : 0xFFFFFF;
      gt.setRGB(i % w, i / w, rgb);
    }
    return thumbnail(gt, false);
  }

  /** Downscaled to {@link #THUMBNAIL} (bilinear for photos, nearest for label maps) and PNG-encoded. */
  static byte[] thumbnail(BufferedImage src, boolean smooth) {
    double scale = Math.min(1.0, THUMBNAIL / (double) Math.max(src.getWidth(), src.getHeight()));
    int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
    int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, smooth
        ? RenderingHints.VALUE_INTERPOLATION_BILINEAR : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}

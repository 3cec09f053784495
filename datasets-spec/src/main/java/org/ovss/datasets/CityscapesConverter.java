package org.ovss.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * Makes the Cityscapes {@code *_gtFine_labelTrainIds.png} label maps from the {@code *_gtFine_polygons.json} files,
 * as {@code open-mmlab/mmsegmentation@2b6a1aa tools/dataset_converters/cityscapes.py} does by calling
 * {@code json2labelImg(json, png, 'trainIds')} of {@code mcordts/cityscapesScripts} ({@code preparation/json2labelImg.py}
 * {@code createLabelImage}); this is {@code ovss prepare cityscapes}.
 *
 * <p>What the reference does, and this does: an 8-bit image of {@code imgWidth x imgHeight} filled with the train id
 * of {@code unlabeled} (255); the objects in file order, each drawn over the earlier ones with Pillow's
 * {@code ImageDraw.polygon(polygon, fill=trainId)} ({@link PolygonFill}); objects marked {@code deleted} skipped; a
 * label not in the table but ending in {@code group} looked up without that suffix; labels whose id is negative
 * ({@code license plate}) not drawn; an unknown label an error, here naming the file and the label. The table is
 * {@code cityscapesscripts/helpers/labels.py} (ids 0..33 and {@code license plate}, as released with the dataset).
 */
public final class CityscapesConverter {
  private static final String INPUT_SUFFIX = "_polygons.json";
  private static final String OUTPUT_SUFFIX = "_labelTrainIds.png";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** name -> {id, trainId} of {@code labels.py}. */
  static final Map<String, int[]> LABELS = new HashMap<>();

  static {
    Object[][] table = {
        {"unlabeled", 0, 255}, {"ego vehicle", 1, 255}, {"rectification border", 2, 255}, {"out of roi", 3, 255},
        {"static", 4, 255}, {"dynamic", 5, 255}, {"ground", 6, 255}, {"road", 7, 0}, {"sidewalk", 8, 1},
        {"parking", 9, 255}, {"rail track", 10, 255}, {"building", 11, 2}, {"wall", 12, 3}, {"fence", 13, 4},
        {"guard rail", 14, 255}, {"bridge", 15, 255}, {"tunnel", 16, 255}, {"pole", 17, 5}, {"polegroup", 18, 255},
        {"traffic light", 19, 6}, {"traffic sign", 20, 7}, {"vegetation", 21, 8}, {"terrain", 22, 9}, {"sky", 23, 10},
        {"person", 24, 11}, {"rider", 25, 12}, {"car", 26, 13}, {"truck", 27, 14}, {"bus", 28, 15},
        {"caravan", 29, 255}, {"trailer", 30, 255}, {"train", 31, 16}, {"motorcycle", 32, 17}, {"bicycle", 33, 18},
        {"license plate", -1, -1}};
    for (Object[] row : table) {
      LABELS.put((String) row[0], new int[] {(Integer) row[1], (Integer) row[2]});
    }
  }

  private CityscapesConverter() {}

  /**
   * Converts every {@code *_gtFine_polygons.json} under {@code gtFineDir} (all splits and cities) into the
   * {@code *_gtFine_labelTrainIds.png} beside it. Finished outputs are kept (a rerun resumes).
   *
   * @throws InvalidInputException naming the folder, or the file and what in it is wrong
   */
  public static Conversions.Report convertDirectory(Path gtFineDir, Conversions.Progress progress) {
    if (!Files.isDirectory(gtFineDir)) {
      throw new InvalidInputException("expected the gtFine folder of Cityscapes at " + gtFineDir
          + " (gtFine_trainvaltest.zip unpacked: gtFine/{train,val,test}/CITY/*_gtFine_polygons.json)");
    }
    List<Path> inputs;
    try (Stream<Path> files = Files.walk(gtFineDir)) {
      inputs = files.filter(p -> p.getFileName().toString().endsWith(INPUT_SUFFIX) && Files.isRegularFile(p))
          .sorted().toList();
    } catch (IOException e) {
      throw new InvalidInputException("cannot list " + gtFineDir + ": " + e.getMessage(), e);
    }
    if (inputs.isEmpty()) {
      throw new InvalidInputException("no *" + INPUT_SUFFIX + " files under " + gtFineDir);
    }
    List<Conversions.Job> jobs = new ArrayList<>();
    for (Path json : inputs) {
      String name = json.getFileName().toString();
      Path out = json.resolveSibling(name.substring(0, name.length() - INPUT_SUFFIX.length()) + OUTPUT_SUFFIX);
      jobs.add(new Conversions.Job(out, () -> {
        Drawn drawn = draw(json);
        LabelMaps.writeGreyPng(out, drawn.labels(), drawn.height(), drawn.width());
      }));
    }
    return Conversions.run(jobs, progress);
  }

  /** A label map drawn from one polygons file. */
  record Drawn(int[] labels, int height, int width) {}

  /** {@code createLabelImage(annotation, 'trainIds')} of one polygons file. */
  static Drawn draw(Path json) {
    JsonNode root;
    try {
      root = JSON.readTree(json.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read Cityscapes polygons " + json + ": " + e.getMessage(), e);
    }
    int width = positive(root, "imgWidth", json);
    int height = positive(root, "imgHeight", json);
    if ((long) width * height > ImageDecoding.MAX_PIXELS) {
      throw new InvalidInputException("Cityscapes polygons " + json + " declare " + width + " x " + height
          + " pixels, more than the " + ImageDecoding.MAX_PIXELS + " an image may have");
    }
    JsonNode objects = root.get("objects");
    if (objects == null || !objects.isArray()) {
      throw new InvalidInputException("Cityscapes polygons " + json + " have no 'objects' array");
    }
    int[] labels = new int[width * height];
    java.util.Arrays.fill(labels, LABELS.get("unlabeled")[1]);
    for (int o = 0; o < objects.size(); o++) {
      JsonNode obj = objects.get(o);
      JsonNode deleted = obj.get("deleted");
      if (deleted != null && (deleted.asBoolean(false) || deleted.asInt(0) != 0)) {
        continue;
      }
      String label = obj.path("label").asText(null);
      if (label == null) {
        throw new InvalidInputException("Cityscapes polygons " + json + ": object " + o + " has no label");
      }
      if (!LABELS.containsKey(label) && label.endsWith("group")) {
        label = label.substring(0, label.length() - "group".length());
      }
      int[] entry = LABELS.get(label);
      if (entry == null) {
        throw new InvalidInputException("Cityscapes polygons " + json + ": object " + o + " has the label '"
            + obj.path("label").asText() + "', which is not in cityscapesScripts' label table");
      }
      if (entry[0] < 0) {
        continue;
      }
      JsonNode polygon = obj.get("polygon");
      if (polygon == null || !polygon.isArray() || polygon.isEmpty()) {
        throw new InvalidInputException("Cityscapes polygons " + json + ": object " + o + " ('" + label
            + "') has no polygon");
      }
      int[] xs = new int[polygon.size()];
      int[] ys = new int[polygon.size()];
      for (int p = 0; p < xs.length; p++) {
        JsonNode point = polygon.get(p);
        if (!point.isArray() || point.size() != 2 || !point.get(0).isNumber() || !point.get(1).isNumber()) {
          throw new InvalidInputException("Cityscapes polygons " + json + ": point " + p + " of object " + o
              + " is not [x, y]");
        }
        // Pillow truncates coordinates to int.
        xs[p] = (int) point.get(0).asDouble();
        ys[p] = (int) point.get(1).asDouble();
      }
      PolygonFill.fill(labels, height, width, xs, ys, entry[1]);
    }
    return new Drawn(labels, height, width);
  }

  private static int positive(JsonNode root, String key, Path json) {
    JsonNode v = root.get(key);
    if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
      throw new InvalidInputException("Cityscapes polygons " + json + " have no positive integer '" + key + "'");
    }
    return v.asInt();
  }
}

package org.ovss.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ovss.api.InvalidInputException;

/**
 * Makes the PASCAL Context label maps ({@code SegmentationClassContext/*.png}, values 0..59: 0 background, then the 59
 * classes in the order of their Detail category ids) and the split files {@code ImageSets/SegmentationContext/
 * {train,val}.txt} from the Detail API's {@code trainval_merged.json}, as {@code open-mmlab/mmsegmentation@2b6a1aa
 * tools/dataset_converters/pascal_context.py} does; this is {@code ovss prepare context60} (Context-59 reads the same
 * files with {@code reduce_zero_label}).
 *
 * <p>The reference calls the Detail API's {@code getMask(img)} ({@code yucking/detail-api@08b910a
 * PythonAPI/detail/__init__.py}; class mask: zeros, then for every segmentation
 * annotation of the image, in file order, the pixels of its decoded COCO RLE set to its {@code category_id}), asserts
 * every value is one of the 60 ids of {@code _mapping} (0 and the 59 category ids) and replaces each by its rank
 * among them ({@code np.digitize(..., right=True)} on the sorted ids). Images are those whose {@code phase} is
 * {@code train} or {@code val}; each split file lists its stems sorted. A value outside the 60 ids is refused naming
 * the file and image.
 */
public final class PascalContextConverter {
  /** The 60 Detail category ids of {@code _mapping}, sorted: label k is the k-th. */
  static final int[] MAPPING = {0, 2, 9, 18, 19, 22, 23, 25, 31, 33, 34, 44, 45, 46, 59, 65, 68, 72, 80, 85, 98, 104,
      105, 113, 115, 144, 158, 159, 162, 187, 189, 207, 220, 232, 258, 259, 260, 284, 295, 296, 308, 324, 326, 347,
      349, 354, 355, 360, 366, 368, 397, 415, 416, 420, 424, 427, 440, 445, 454, 458};
  private static final String[] PHASES = {"train", "val"};

  private PascalContextConverter() {}

  /** One image of the annotation file. */
  record Image(int id, String fileName, int height, int width, String phase) {}

  /** One segmentation annotation: a category and its COCO RLE. */
  record Segment(int imageId, int categoryId, String counts, int height, int width) {}

  /** The parts of {@code trainval_merged.json} the conversion reads. */
  record Annotations(List<Image> images, Map<Integer, List<Segment>> segmentsByImage) {}

  /**
   * Writes {@code voc2010/SegmentationClassContext/STEM.png} for every train and val image of {@code json} and the
   * split files (kept when they exist with the same content, refused when they differ). Finished label maps are kept
   * (a rerun resumes).
   *
   * @param voc2010 the {@code VOCdevkit/VOC2010} folder (holding {@code JPEGImages})
   * @throws InvalidInputException naming the file and what in it is wrong
   */
  public static Conversions.Report convert(Path json, Path voc2010, Conversions.Progress progress) {
    Annotations a = read(json);
    Path outDir = voc2010.resolve("SegmentationClassContext");
    List<Conversions.Job> jobs = new ArrayList<>();
    Map<String, TreeSet<String>> splits = new LinkedHashMap<>();
    for (String phase : PHASES) {
      splits.put(phase, new TreeSet<>());
    }
    for (Image img : a.images()) {
      if (!splits.containsKey(img.phase())) {
        continue;
      }
      String png = img.fileName().replace("jpg", "png");
      if (png.contains("/") || png.contains("\\") || png.contains("..") || png.isBlank()) {
        throw new InvalidInputException(json + ": image " + img.id() + " has the file name '" + img.fileName()
            + "', which is not a plain file name");
      }
      String stem = img.fileName().contains(".") ? img.fileName().substring(0, img.fileName().lastIndexOf('.'))
          : img.fileName();
      splits.get(img.phase()).add(stem);
      Path out = outDir.resolve(png);
      List<Segment> segments = a.segmentsByImage().getOrDefault(img.id(), List.of());
      jobs.add(new Conversions.Job(out, () ->
          LabelMaps.writeGreyPng(out, labels(json, img, segments), img.height(), img.width())));
    }
    if (jobs.isEmpty()) {
      throw new InvalidInputException(json + " lists no train or val images");
    }
    Conversions.Report report = Conversions.run(jobs, progress);
    for (Map.Entry<String, TreeSet<String>> split : splits.entrySet()) {
      writeSplit(voc2010.resolve("ImageSets/SegmentationContext/" + split.getKey() + ".txt"), split.getValue());
    }
    return report;
  }

  /** {@code _class_to_index(detail.getMask(img))}. */
  static int[] labels(Path json, Image img, List<Segment> segments) {
    int h = img.height();
    int w = img.width();
    int[] mask = new int[h * w];
    for (Segment s : segments) {
      if (s.height() != h || s.width() != w) {
        throw new InvalidInputException(json + ": a segmentation of image " + img.fileName() + " is " + s.height()
            + " x " + s.width() + " but the image is " + h + " x " + w);
      }
      boolean[] m = CocoRle.decode(s.counts(), h, w, json + " (image " + img.fileName() + ")");
      for (int i = 0; i < m.length; i++) {
        if (m[i]) {
          mask[i] = s.categoryId();
        }
      }
    }
    for (int i = 0; i < mask.length; i++) {
      int k = Arrays.binarySearch(MAPPING, mask[i]);
      if (k < 0) {
        throw new InvalidInputException(json + ": image " + img.fileName() + " has category id " + mask[i] + " at row "
            + (i / w) + ", column " + (i % w) + ", which is none of the 60 PASCAL Context ids (0 and the 59 classes'"
            + " Detail category ids)");
      }
      mask[i] = k;
    }
    return mask;
  }

  private static void writeSplit(Path file, TreeSet<String> stems) {
    StringBuilder b = new StringBuilder();
    stems.forEach(s -> b.append(s).append('\n'));
    try {
      if (Files.exists(file)) {
        if (!Files.readString(file, StandardCharsets.UTF_8).equals(b.toString())) {
          throw new InvalidInputException("split file " + file + " exists with other contents than this conversion"
              + " writes; move it away to write it again");
        }
        return;
      }
      AtomicFiles.writeString(file, b.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code images} and {@code annos_segmentation} from the annotation file as a stream (the file is large; its
   * other keys are skipped). Annotations keep the file's order; one whose {@code id} repeats an earlier one replaces
   * it in that place, as the Detail API's dict does.
   */
  static Annotations read(Path json) {
    ObjectMapper mapper = new ObjectMapper();
    List<Image> images = new ArrayList<>();
    Map<Integer, JsonNode> segmentations = new LinkedHashMap<>();
    try (JsonParser p = mapper.getFactory().createParser(json.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidInputException(json + " is not a JSON object (expected the Detail API's trainval_merged.json)");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        if (("images".equals(key) || "annos_segmentation".equals(key)) && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode node = mapper.readTree(p);
            if ("images".equals(key)) {
              images.add(new Image(integer(node, "image_id", json), text(node, "file_name", json),
                  integer(node, "height", json), integer(node, "width", json), text(node, "phase", json)));
            } else {
              segmentations.put(integer(node, "id", json), node);
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + json + ": " + e.getMessage(), e);
    }
    if (images.isEmpty()) {
      throw new InvalidInputException(json + " has no 'images' (expected the Detail API's trainval_merged.json)");
    }
    Map<Integer, List<Segment>> byImage = new LinkedHashMap<>();
    for (JsonNode s : segmentations.values()) {
      JsonNode seg = s.get("segmentation");
      JsonNode size = seg == null ? null : seg.get("size");
      JsonNode counts = seg == null ? null : seg.get("counts");
      if (size == null || !size.isArray() || size.size() != 2 || counts == null || !counts.isTextual()) {
        throw new InvalidInputException(json + ": segmentation annotation " + s.path("id").asText()
            + " has no compressed COCO RLE ({\"size\": [h, w], \"counts\": \"...\"})");
      }
      byImage.computeIfAbsent(integer(s, "image_id", json), k -> new ArrayList<>()).add(new Segment(
          integer(s, "image_id", json), integer(s, "category_id", json), counts.asText(), size.get(0).asInt(),
          size.get(1).asInt()));
    }
    return new Annotations(images, byImage);
  }

  private static int integer(JsonNode node, String key, Path json) {
    JsonNode v = node.get(key);
    if (v == null || !v.canConvertToInt()) {
      throw new InvalidInputException(json + ": an entry has no integer '" + key + "': " + abbreviate(node));
    }
    return v.asInt();
  }

  private static String text(JsonNode node, String key, Path json) {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual()) {
      throw new InvalidInputException(json + ": an entry has no text '" + key + "': " + abbreviate(node));
    }
    return v.asText();
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}

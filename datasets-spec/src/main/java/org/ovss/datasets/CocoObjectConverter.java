package org.ovss.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * Makes COCO-Object label maps ({@code *_instanceTrainIds.png}: 0 = background, 1..80 = the things) from the raw
 * COCO-Stuff164k label maps, as {@code NVlabs/GroupViT:convert_dataset/convert_coco_object.py} does (copied verbatim as
 * {@code wangf3014/SCLIP:datasets/cvt_coco_object.py}); this is {@code ovss prepare coco-object}.
 *
 * <p>The reference builds {@code clsID_to_trID} (raw ids 0..181 with the 11 unused COCO ids skipped, compacted to
 * train ids 0..170, plus {@code 255: 255}), then adds 1 to every value and sets every key {@code > 90} to 0. The key
 * 255 is {@code > 90} too, so unlabeled pixels become background 0, not ignore. Raw values that are not keys of that
 * table are copied unchanged ({@code mask_copy = mask.copy()}).
 */
public final class CocoObjectConverter {
  /** Raw COCO-Stuff ids of the 80 thing classes, in train-id order (the keys 0..89 of {@code clsID_to_trID}). */
  private static final int[] THING_RAW_IDS = {
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27, 30, 31, 32, 33,
      34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
      63, 64, 66, 69, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 83, 84, 85, 86, 87, 88, 89};
  /** Raw ids of the 91 stuff classes are 91..181 (keys of {@code clsID_to_trID} above 90). */
  private static final int FIRST_STUFF = 91;
  private static final int LAST_STUFF = 181;
  private static final int UNLABELED = 255;
  private static final String[] SPLITS = {"train2017", "val2017"};
  private static final String SUFFIX = "_instanceTrainIds.png";

  /** Raw value -> COCO-Object value; values the reference does not map keep their own value. */
  private static final int[] LUT = new int[256];
  /** Whether a raw value is a key of the reference's table, i.e. can occur in a COCO-Stuff164k raw label map. */
  private static final boolean[] KNOWN = new boolean[256];

  static {
    for (int v = 0; v < 256; v++) {
      LUT[v] = v;
    }
    for (int train = 0; train < THING_RAW_IDS.length; train++) {
      LUT[THING_RAW_IDS[train]] = train + 1;
      KNOWN[THING_RAW_IDS[train]] = true;
    }
    for (int v = FIRST_STUFF; v <= LAST_STUFF; v++) {
      LUT[v] = 0;
      KNOWN[v] = true;
    }
    LUT[UNLABELED] = 0;
    KNOWN[UNLABELED] = true;
  }

  private CocoObjectConverter() {}

  /**
   * Maps raw COCO-Stuff164k ids to COCO-Object values exactly as the reference: thing ids to 1..80, stuff ids
   * (91..181) and 255 to 0, any other value unchanged.
   *
   * @param rawIds values 0..255 (the reference works on uint8 maps)
   * @return a new array of the converted values
   */
  public static int[] convert(int[] rawIds) {
    int[] out = new int[rawIds.length];
    for (int i = 0; i < rawIds.length; i++) {
      int v = rawIds[i];
      if (v < 0 || v > 255) {
        throw new IllegalArgumentException("raw COCO-Stuff id " + v + " at index " + i + " is not a uint8 value");
      }
      out[i] = LUT[v];
    }
    return out;
  }

  /**
   * Converts every raw label map {@code annotationsDir/{train2017,val2017}/*.png} (names containing "TrainIds" are
   * converter outputs and are left alone, as in the reference) into {@code STEM_instanceTrainIds.png} beside it, STEM
   * being the name up to its first dot. Existing outputs are replaced.
   *
   * <p>Unlike the reference, a map holding a value that COCO-Stuff164k never uses (an unused COCO id such as 11, or
   * 182..254) is refused: the reference would copy it through as if it were a COCO-Object class.
   *
   * @param annotationsDir the {@code annotations} folder of COCO-Stuff164k ({@code stuffthingmaps_trainval2017.zip}
   *     unpacked into {@code annotations/train2017} and {@code annotations/val2017})
   * @return the number of label maps written
   * @throws InvalidInputException naming the folder or file at fault
   */
  public static int convertDirectory(Path annotationsDir) {
    List<Path> splitDirs = new ArrayList<>();
    for (String split : SPLITS) {
      if (Files.isDirectory(annotationsDir.resolve(split))) {
        splitDirs.add(annotationsDir.resolve(split));
      }
    }
    if (splitDirs.isEmpty()) {
      throw new InvalidInputException("expected train2017/ or val2017/ under " + annotationsDir
          + " (the annotations folder of COCO-Stuff164k, holding the raw stuffthingmaps_trainval2017 PNGs)");
    }
    List<Path> rawMaps = new ArrayList<>();
    for (Path dir : splitDirs) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(p -> {
          String name = p.getFileName().toString();
          return name.endsWith(".png") && !name.contains("TrainIds") && Files.isRegularFile(p);
        }).sorted().forEach(rawMaps::add);
      } catch (IOException e) {
        throw new InvalidInputException("cannot list " + dir + ": " + e.getMessage(), e);
      }
    }
    if (rawMaps.isEmpty()) {
      throw new InvalidInputException("no raw COCO-Stuff label maps (*.png without 'TrainIds' in the name) in "
          + splitDirs);
    }
    // Files are independent; the full set is 123,287 maps, so use every core.
    rawMaps.parallelStream().forEach(CocoObjectConverter::convertFile);
    return rawMaps.size();
  }

  private static void convertFile(Path rawMap) {
    LabelMaps.Indices raw = LabelMaps.readIndices(rawMap);
    int[] values = raw.values();
    for (int i = 0; i < values.length; i++) {
      if (!KNOWN[values[i]]) {
        throw new InvalidInputException("raw COCO-Stuff label map " + rawMap + " has value " + values[i] + " at row "
            + (i / raw.width()) + ", column " + (i % raw.width()) + ", which is no COCO-Stuff164k id (0..181 without "
            + "the unused ids, or 255); is this a raw stuffthingmaps PNG?");
      }
    }
    String name = rawMap.getFileName().toString();
    String stem = name.substring(0, name.indexOf('.'));
    LabelMaps.writeGreyPng(rawMap.resolveSibling(stem + SUFFIX), convert(values), raw.height(), raw.width());
  }
}

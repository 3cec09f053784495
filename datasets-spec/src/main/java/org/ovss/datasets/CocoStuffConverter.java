package org.ovss.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * Makes the 171-class COCO-Stuff164k label maps ({@code *_labelTrainIds.png}: train ids 0..170, 255 unlabeled) from
 * the raw {@code stuffthingmaps_trainval2017} maps, as {@code open-mmlab/mmsegmentation@b7fcd9e
 * tools/dataset_converters/coco_stuff164k.py} does; this is {@code ovss prepare coco-stuff}.
 *
 * <p>The reference's {@code clsID_to_trID} maps the raw ids 0..181 without the 11 COCO ids COCO-Stuff does not use
 * (11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90) onto 0..170 in order, and 255 onto 255. Values that are not keys of
 * that table would be copied unchanged ({@code mask_copy = mask.copy()}); here such a map is refused, naming the file
 * and the value, since it cannot be a raw COCO-Stuff164k map.
 */
public final class CocoStuffConverter {
  /** The raw COCO ids COCO-Stuff164k never uses (gaps in the keys of {@code clsID_to_trID}). */
  private static final int[] UNUSED = {11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90};
  private static final int LAST_RAW = 181;
  private static final int UNLABELED = 255;
  static final String[] SPLITS = {"train2017", "val2017"};
  private static final String SUFFIX = "_labelTrainIds.png";

  /** Raw value -> train id ({@code clsID_to_trID}), -1 for values that are not keys of the reference's table. */
  static final int[] TRAIN_ID = new int[256];

  static {
    java.util.Arrays.fill(TRAIN_ID, -1);
    int next = 0;
    for (int raw = 0; raw <= LAST_RAW; raw++) {
      final int r = raw;
      if (java.util.stream.IntStream.of(UNUSED).noneMatch(u -> u == r)) {
        TRAIN_ID[raw] = next++;
      }
    }
    TRAIN_ID[UNLABELED] = UNLABELED;
  }

  private CocoStuffConverter() {}

  /**
   * Converts every raw map {@code annotationsDir/{train2017,val2017}/*.png} (names holding "TrainIds" are converter
   * outputs and are left alone) into {@code STEM_labelTrainIds.png} beside it, STEM being the name up to its first
   * dot. Finished outputs are kept (a rerun resumes).
   *
   * @throws InvalidInputException naming the folder or the file and value at fault
   */
  public static Conversions.Report convertDirectory(Path annotationsDir, Conversions.Progress progress) {
    List<Conversions.Job> jobs = new ArrayList<>();
    for (Path raw : rawMaps(annotationsDir)) {
      String name = raw.getFileName().toString();
      Path out = raw.resolveSibling(name.substring(0, name.indexOf('.')) + SUFFIX);
      jobs.add(new Conversions.Job(out, () -> {
        LabelMaps.Indices in = LabelMaps.readIndices(raw);
        int[] v = in.values();
        for (int i = 0; i < v.length; i++) {
          int train = TRAIN_ID[v[i]];
          if (train < 0) {
            throw unknown(raw, in, i);
          }
          v[i] = train;
        }
        LabelMaps.writeGreyPng(out, v, in.height(), in.width());
      }));
    }
    return Conversions.run(jobs, progress);
  }

  static InvalidInputException unknown(Path raw, LabelMaps.Indices in, int i) {
    return new InvalidInputException("raw COCO-Stuff label map " + raw + " has value " + in.values()[i] + " at row "
        + (i / in.width()) + ", column " + (i % in.width()) + ", which is no COCO-Stuff164k id (0..181 without "
        + "the unused ids, or 255); is this a raw stuffthingmaps PNG?");
  }

  /** The raw maps under {@code annotationsDir/{train2017,val2017}}, sorted. */
  static List<Path> rawMaps(Path annotationsDir) {
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
          return name.endsWith(".png") && !name.contains("TrainIds") && !name.startsWith(".") && Files.isRegularFile(p);
        }).sorted().forEach(rawMaps::add);
      } catch (IOException e) {
        throw new InvalidInputException("cannot list " + dir + ": " + e.getMessage(), e);
      }
    }
    if (rawMaps.isEmpty()) {
      throw new InvalidInputException("no raw COCO-Stuff label maps (*.png without 'TrainIds' in the name) in "
          + splitDirs);
    }
    return rawMaps;
  }
}

package org.ovss.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
  private static final String SUFFIX = "_instanceTrainIds.png";
  /** COCO-Stuff train ids below this are the 80 things (train id t is COCO-Object class t + 1). */
  private static final int THINGS = 80;

  /** Raw value -> COCO-Object value; values the reference does not map keep their own value. */
  private static final int[] LUT = new int[256];

  static {
    for (int v = 0; v < 256; v++) {
      int train = CocoStuffConverter.TRAIN_ID[v];
      LUT[v] = train < 0 ? v : train < THINGS ? train + 1 : 0;
    }
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
   * being the name up to its first dot. Finished outputs are kept (a rerun resumes).
   *
   * <p>Unlike the reference, a map holding a value that COCO-Stuff164k never uses (an unused COCO id such as 11, or
   * 182..254) is refused: the reference would copy it through as if it were a COCO-Object class.
   *
   * @param annotationsDir the {@code annotations} folder of COCO-Stuff164k ({@code stuffthingmaps_trainval2017.zip}
   *     unpacked into {@code annotations/train2017} and {@code annotations/val2017})
   * @throws InvalidInputException naming the folder or file at fault
   */
  public static Conversions.Report convertDirectory(Path annotationsDir, Conversions.Progress progress) {
    List<Conversions.Job> jobs = new ArrayList<>();
    for (Path raw : CocoStuffConverter.rawMaps(annotationsDir)) {
      String name = raw.getFileName().toString();
      Path out = raw.resolveSibling(name.substring(0, name.indexOf('.')) + SUFFIX);
      jobs.add(new Conversions.Job(out, () -> {
        LabelMaps.Indices in = LabelMaps.readIndices(raw);
        int[] values = in.values();
        for (int i = 0; i < values.length; i++) {
          if (CocoStuffConverter.TRAIN_ID[values[i]] < 0) {
            throw CocoStuffConverter.unknown(raw, in, i);
          }
        }
        LabelMaps.writeGreyPng(out, convert(values), in.height(), in.width());
      }));
    }
    return Conversions.run(jobs, progress);
  }

  /** As {@link #convertDirectory(Path, Conversions.Progress)} without progress; the number of label maps. */
  public static int convertDirectory(Path annotationsDir) {
    return convertDirectory(annotationsDir, Conversions.Progress.NONE).total();
  }
}

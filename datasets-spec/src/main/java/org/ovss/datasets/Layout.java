package org.ovss.datasets;

import org.ovss.api.InvalidInputException;

/**
 * Where a split's images and label maps lie under {@code --data-root}, in the mmseg
 * {@code data_prefix}/{@code ann_file} terms of the reference configs.
 *
 * <p>A sample with id {@code ID} is the image {@code imageDir/ID + imageSuffix} and the label map
 * {@code labelDir/ID + labelSuffix}. With a split file the ids are its lines; without one they are the
 * images found under {@code imageDir}, as mmseg's {@code BaseSegDataset.load_data_list} does.
 *
 * @param imageDir image folder, relative to the data root ({@code img_path})
 * @param imageSuffix what every image name ends with ({@code img_suffix})
 * @param labelDir label-map folder, relative to the data root ({@code seg_map_path})
 * @param labelSuffix what every label-map name ends with ({@code seg_map_suffix})
 * @param splitFile list of sample ids relative to the data root ({@code ann_file}), or {@code null} to list the images
 * @param recursive whether images are searched in sub-folders too when there is no split file (Cityscapes keeps
 *     one folder per city)
 */
public record Layout(String imageDir, String imageSuffix, String labelDir, String labelSuffix, String splitFile,
                     boolean recursive) {

  public Layout {
    requireText("imageDir", imageDir);
    requireText("imageSuffix", imageSuffix);
    requireText("labelDir", labelDir);
    requireText("labelSuffix", labelSuffix);
    if (splitFile != null && splitFile.isBlank()) {
      throw new InvalidInputException("layout.splitFile must be a path or null, not an empty string");
    }
  }

  private static void requireText(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("layout." + key + " must not be empty");
    }
  }
}

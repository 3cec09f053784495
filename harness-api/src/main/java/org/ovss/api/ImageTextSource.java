package org.ovss.api;

import java.util.List;

/** Random access to image-caption pairs for training. */
public interface ImageTextSource {

  int size();

  /** Image {@code index} as float RGB in [0, 1], layout [3, H, W] row-major. */
  float[] image(int index);

  int imageHeight(int index);

  int imageWidth(int index);

  /** The captions of image {@code index}. */
  List<String> captions(int index);

  /**
   * A coarse group of image {@code index} (e.g. its scene), or null. Trainers may draw a batch from one
   * group so that what all its pairs share cannot tell them apart and the model must learn the rest.
   */
  default String group(int index) {
    return null;
  }

  /**
   * Sets of interchangeable words that name what the images show (class names, say, with the singular and the
   * plural forms as two sets), or none. A trainer may turn a caption into a hard negative by replacing one such word
   * with another of its set ("a red circle on grass" against "a red star on grass"), so that telling the two apart
   * takes the named thing itself, not what the caption says besides it.
   */
  default List<List<String>> contrastWords() {
    return List.of();
  }
}

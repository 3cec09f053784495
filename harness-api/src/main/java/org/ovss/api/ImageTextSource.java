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
}

package org.ovss.datasets;

import java.nio.file.Path;

/**
 * One evaluation sample of a split.
 *
 * @param id the split-file entry (or the image path relative to the image folder, suffix removed, with {@code /}
 *     separators); unique within a split and usable as a relative output path
 * @param image absolute path of the image
 * @param label absolute path of the ground-truth label map
 */
public record Sample(String id, Path image, Path label) {}

package org.ovss.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ovss.api.InvalidInputException;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the image and label-map readers ({@link ImageDecoding}, {@link LabelMaps}): any bytes must decode or be
 * refused with an {@link InvalidInputException}; another exception, or an OutOfMemoryError from dimensions the file
 * made up, is a finding. Seeds and past findings lie in {@code ImageFuzzTestInputs/decodesOrRefuses/}.
 */
class ImageFuzzTest {
  @TempDir static Path dir;
  private static final DatasetSpec SPEC = DatasetSpecs.get("ade20k");

  @FuzzTest(maxDuration = "5s")
  void decodesOrRefuses(byte[] bytes) throws IOException {
    Files.write(dir.resolve("input"), bytes);
    try {
      ImageDecoding.read(dir.resolve("input"), "image");
    } catch (InvalidInputException expected) {
      // refused, naming the file
    }
    try {
      LabelMaps.Indices raw = LabelMaps.readIndices(dir.resolve("input"));
      LabelMaps.read(dir.resolve("input"), SPEC, raw.height(), raw.width());
    } catch (InvalidInputException expected) {
      // refused, naming the file
    }
  }
}

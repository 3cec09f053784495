package org.ovss.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ovss.api.InvalidInputException;

/**
 * Fuzzes the image and label-map readers ({@link ImageDecoding}, {@link LabelMaps}): any bytes must decode or be
 * refused with an {@link InvalidInputException}; another exception, or an OutOfMemoryError from dimensions the file
 * made up, is a finding. Seeds and past findings lie in {@code ImageFuzzTestInputs/decodesOrRefuses/}.
 */
class ImageFuzzTest {
  private static final Path FILE = tempFile();
  private static final DatasetSpec SPEC = DatasetSpecs.get("ade20k");

  @FuzzTest(maxDuration = "5s")
  void decodesOrRefuses(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    try {
      ImageDecoding.read(FILE, "image");
    } catch (InvalidInputException expected) {
      // refused, naming the file
    }
    try {
      LabelMaps.Indices raw = LabelMaps.readIndices(FILE);
      LabelMaps.read(FILE, SPEC, raw.height(), raw.width());
    } catch (InvalidInputException expected) {
      // refused, naming the file
    }
  }

  private static Path tempFile() {
    try {
      Path f = Files.createTempFile("image-fuzz", ".img");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.ovss.runner.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.Capability;
import org.ovss.api.InputSpec;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.SegmentationMethod;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.runner.Hashing;
import org.ovss.runner.image.ImageFiles;
import org.ovss.runner.image.Preprocess;
import org.ovss.runner.image.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ovss encode}: dense features of one image, written for inspection. */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = {
      "Write the dense features of one image as safetensors: 'features' [1, D, h, w] and the normalised",
      "input 'image' [1, 3, H, W]. The image is resized (bilinear, no antialias) so that its short side is",
      "the method's default resolution (or --size), each side rounded to a multiple of the patch size."})
final class EncodeCommand implements Runnable {

  @Mixin MethodOptions methodOptions;

  @Option(names = "--image", required = true, description = "JPEG or PNG image")
  Path image;

  @Option(names = "--out", required = true, description = "output .safetensors file")
  Path out;

  @Option(names = "--size", description = "short side in pixels (default: the method's input resolution)")
  Integer size;

  @Override
  public void run() {
    MethodProvider provider = methodOptions.provider(Capability.ENCODE);
    MethodConfig config = methodOptions.config(provider); // engine settings checked before any file is read
    RgbImage rgb = ImageFiles.read(image);
    try (SegmentationMethod m = provider.open(config); NDManager manager = NDManager.newBaseManager(config.execution().djlDevice())) {
      InputSpec spec = m.inputSpec();
      int[] hw = Preprocess.shortSideSize(rgb.height(), rgb.width(), size == null ? spec.resolution() : size, spec.patchSize());
      RgbImage resized = rgb.resized(hw[0], hw[1]);
      long[] inputShape = {1, 3, hw[0], hw[1]};
      float[] input = Preprocess.normalize(resized, spec);
      NDArray features = m.encodeImage(manager.create(input, new Shape(inputShape)));
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("method", methodOptions.method);
      meta.put("weights", methodOptions.weights.toString());
      meta.put("weights_sha256", Hashing.sha256(methodOptions.weights));
      meta.put("image", image.toString());
      meta.put("original_size", rgb.height() + "x" + rgb.width());
      meta.put("input_size", hw[0] + "x" + hw[1]);
      SafetensorsWriter.write(out, List.of(
          SafetensorsWriter.Tensor.ofFloats("features", features.getShape().getShape(), features.toFloatArray()),
          SafetensorsWriter.Tensor.ofFloats("image", inputShape, input)), meta);
      System.out.println("wrote " + out + ": features " + features.getShape() + " from " + image + " at " + hw[0] + "x" + hw[1]);
    }
  }
}

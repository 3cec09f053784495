package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.io.TensorFormatException;
import org.ovss.clip.model.PositionalInterpolation;

/**
 * GroupViT weights on disk: a state dict under the official names (safetensors, or a torch zip archive that
 * {@link TensorFile} reads) plus the model config in {@value GroupVitConfig#FILE_NAME} beside it.
 *
 * <p>Keys may carry the prefix of the container they came from: {@code model.} (a {@code torch.save({'model':
 * state_dict})} file read by {@link org.ovss.clip.io.TorchArchiveReader}) or {@code module.} (a
 * DistributedDataParallel state dict). A positional embedding of another size than the config's is resized
 * bicubically, as the official {@code GroupViT.load_state_dict} does.
 */
public final class GroupVitCheckpoint {
  /** Name of the weights file a trained model is exported to. */
  public static final String WEIGHTS_FILE = "weights.safetensors";

  private static final List<String> PREFIXES = List.of("", "model.", "module.", "model.module.");

  private GroupVitCheckpoint() {}

  /**
   * The config that belongs to {@code weights}: {@code explicitConfig} if given, else {@value
   * GroupVitConfig#FILE_NAME} beside the weights, else a {@code config.json} there.
   */
  public static GroupVitConfig config(Path weights, Optional<Path> explicitConfig) {
    if (explicitConfig.isPresent()) {
      return GroupVitConfig.load(explicitConfig.get());
    }
    Path dir = weights.toAbsolutePath().getParent();
    for (String name : List.of(GroupVitConfig.FILE_NAME, "config.json")) {
      Path candidate = dir.resolve(name);
      if (Files.isRegularFile(candidate)) {
        return GroupVitConfig.load(candidate);
      }
    }
    throw new InvalidInputException("no GroupViT config beside " + weights + " (looked for " + GroupVitConfig.FILE_NAME
        + " and config.json in " + dir + "): write the model section of the official config there as JSON, or pass"
        + " the option config=FILE");
  }

  /** Loads the weights of a model of {@code config}; the arrays live in {@code manager}. */
  public static GroupVitModel load(Path weights, GroupVitConfig config, NDManager manager) {
    try (TensorFile file = TensorFile.open(weights)) {
      List<String> names = file.names();
      String prefix = detectPrefix(weights, names);
      Map<String, NDArray> state = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, Shape> e : GroupVitStateDict.stateShapes(config).entrySet()) {
        String key = prefix + e.getKey();
        if (!names.contains(key)) {
          missing.add(key);
          continue;
        }
        state.put(e.getKey(), manager.create(read(weights, file, key, e.getKey(), e.getValue(), config), e.getValue()));
      }
      if (!missing.isEmpty()) {
        state.values().forEach(NDArray::close);
        throw new InvalidInputException("weights file " + weights + " lacks " + missing.size() + " tensor(s) that the "
            + "config's architecture needs, e.g. " + String.join(", ", missing.subList(0, Math.min(8, missing.size())))
            + "; does the config beside it describe this checkpoint?");
      }
      long batches = 0;
      for (String counter : GroupVitStateDict.batchCounterNames(config)) {
        if (names.contains(prefix + counter)) {
          long[] v = file.readLongs(prefix + counter);
          batches = v.length == 0 ? 0 : v[0];
          break;
        }
      }
      return new GroupVitModel(config, state, batches);
    } catch (TensorFormatException e) {
      throw new InvalidInputException("cannot read weights file " + weights + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new InvalidInputException("cannot read weights file " + weights + ": " + e.getMessage(), e);
    }
  }

  private static String detectPrefix(Path weights, List<String> names) {
    Set<String> set = Set.copyOf(names);
    for (String prefix : PREFIXES) {
      if (set.contains(prefix + "img_encoder.patch_embed.proj.weight")) {
        return prefix;
      }
    }
    throw new InvalidInputException("weights file " + weights + " is not a GroupViT checkpoint: no tensor named "
        + "'img_encoder.patch_embed.proj.weight' (optionally under 'model.' or 'module.') among its " + names.size()
        + " tensors" + (names.isEmpty() ? "" : ", which start with '" + names.get(0) + "'"));
  }

  private static float[] read(Path weights, TensorFile file, String key, String name, Shape want, GroupVitConfig config) {
    long[] got = file.info(key).shape();
    float[] values = file.readFloats(key);
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new InvalidInputException("weights file " + weights + ": tensor '" + key + "' holds a non-finite value ("
            + values[i] + ") at flat index " + i);
      }
    }
    boolean scalar = want.size() == 1 && values.length == 1 && want.dimension() <= 1;
    if (scalar || new Shape(got).equals(want)) {
      return values;
    }
    if (name.equals("img_encoder.pos_embed") && got.length == 3 && got[0] == 1 && got[2] == want.get(2)) {
      return resizePositions(weights, values, got, config);
    }
    throw new InvalidInputException("weights file " + weights + ": tensor '" + key + "' has shape " + Arrays.toString(got)
        + " but the config's architecture needs " + want + "; does the config beside it describe this checkpoint?");
  }

  /** Bicubic resize of a square positional-embedding grid to the config's grid ({@code GroupViT.load_state_dict}). */
  private static float[] resizePositions(Path weights, float[] values, long[] got, GroupVitConfig config) {
    int in = (int) Math.sqrt((double) got[1]);
    if ((long) in * in != got[1]) {
      throw new InvalidInputException("weights file " + weights + ": pos_embed has " + got[1]
          + " rows, not a square grid of patches");
    }
    int out = config.gridSize();
    int e = (int) got[2];
    float[] w = PositionalInterpolation.weights(in, out, (double) out / in); // [out, in]
    float[] result = new float[out * out * e];
    for (int oy = 0; oy < out; oy++) {
      for (int ox = 0; ox < out; ox++) {
        for (int iy = 0; iy < in; iy++) {
          float wy = w[oy * in + iy];
          if (wy == 0) {
            continue;
          }
          for (int ix = 0; ix < in; ix++) {
            float wxy = wy * w[ox * in + ix];
            if (wxy == 0) {
              continue;
            }
            int src = (iy * in + ix) * e;
            int dst = (oy * out + ox) * e;
            for (int c = 0; c < e; c++) {
              result[dst + c] += wxy * values[src + c];
            }
          }
        }
      }
    }
    return result;
  }

  /**
   * Writes the model's state dict under the official names (float32, {@code num_batches_tracked} as int64)
   * to {@code directory}/{@value #WEIGHTS_FILE} and its config to {@value GroupVitConfig#FILE_NAME} beside it.
   *
   * @return the weights file
   */
  public static Path save(GroupVitModel model, Path directory, Map<String, String> metadata) {
    try {
      Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new InvalidInputException("cannot create directory " + directory + ": " + e.getMessage(), e);
    }
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : model.state().entrySet()) {
      tensors.add(SafetensorsWriter.Tensor.ofFloats(e.getKey(), e.getValue().getShape().getShape(),
          e.getValue().toFloatArray()));
    }
    for (String counter : GroupVitStateDict.batchCounterNames(model.config())) {
      tensors.add(SafetensorsWriter.Tensor.ofLongs(counter, new long[0], new long[] {model.numBatchesTracked()}));
    }
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("format", "groupvit (official MultiLabelContrastive state_dict names)");
    Path weights = directory.resolve(WEIGHTS_FILE);
    SafetensorsWriter.write(weights, tensors, meta);
    model.config().save(directory.resolve(GroupVitConfig.FILE_NAME));
    return weights;
  }
}

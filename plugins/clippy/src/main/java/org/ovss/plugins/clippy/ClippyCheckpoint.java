package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;

/**
 * CLIPpy checkpoints: an OpenAI-named CLIP safetensors file ({@link ClipWeights}, so any CLIP loader reads
 * the towers) whose metadata holds the {@link ClippyConfig} ({@code clippy.*} keys), {@code
 * clippy-config.json} beside it, and the tokenizer ({@code vocab.json} + {@code merges.txt}).
 */
public final class ClippyCheckpoint {
  /** Name of the exported weights file. */
  public static final String WEIGHTS_FILE = "clippy.safetensors";

  private ClippyCheckpoint() {}

  /**
   * Writes the model into {@code directory} and returns the weights file.
   *
   * @param extra fields for {@code clippy-config.json} besides the config (architecture, training settings)
   */
  public static Path save(ClippyModel model, ClipTokenizer tokenizer, Path directory, Map<String, Object> extra) {
    try {
      Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + directory, e);
    }
    Path weights = directory.resolve(WEIGHTS_FILE);
    Map<String, String> meta = new LinkedHashMap<>(model.config().toMetadata());
    ClipWeights.save(model.clip(), weights, meta);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("vision_heads", model.clipConfig().visionHeads());
    fields.put("text_heads", model.clipConfig().textHeads());
    fields.putAll(extra);
    model.config().write(directory.resolve(ClippyConfig.FILE), fields);
    tokenizer.writeHuggingFace(directory);
    return weights;
  }

  /**
   * Loads a CLIPpy checkpoint, or any CLIP weights as a CLIPpy model: the config comes from the file's
   * {@code clippy.*} metadata, else {@code clippy-config.json} beside it, else {@link ClippyConfig#DEFAULT}
   * (plain CLIP weights then pool as CLIPpy does).
   */
  public static ClippyModel load(Path weights, NDManager manager, ClipWeights.Heads heads) {
    if (!Files.isRegularFile(weights)) {
      throw new InvalidInputException("CLIPpy weights file " + weights + " does not exist");
    }
    ClipModel clip = ClipWeights.load(weights, manager, heads);
    return new ClippyModel(clip, readConfig(weights).orElse(ClippyConfig.DEFAULT));
  }

  /** The saved config of {@code weights}, if any. */
  static Optional<ClippyConfig> readConfig(Path weights) {
    Map<String, String> metadata;
    try (TensorFile tensors = TensorFile.open(weights)) {
      metadata = tensors.metadata();
    }
    if (ClippyConfig.inMetadata(metadata)) {
      return Optional.of(ClippyConfig.fromMetadata(metadata, weights));
    }
    Path dir = weights.toAbsolutePath().getParent();
    Path json = dir == null ? null : dir.resolve(ClippyConfig.FILE);
    if (json != null && Files.isRegularFile(json)) {
      return Optional.of(ClippyConfig.read(json));
    }
    return Optional.empty();
  }
}

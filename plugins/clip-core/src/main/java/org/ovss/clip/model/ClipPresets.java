package org.ovss.clip.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.UnknownNameException;
import org.ovss.clip.weights.ClipWeights;

/**
 * Architectures of the released OpenAI CLIP ViTs (shapes of {@code ViT-B-16.pt} etc.) and a tiny one
 * for tests, so that real compute can be measured and plugins tested without downloading weights.
 */
public final class ClipPresets {
  private static final Map<String, ClipConfig> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("vit-b16", new ClipConfig(512, 224, 12, 768, 12, 16, 77, 49408, 512, 8, 12));
    PRESETS.put("vit-b32", new ClipConfig(512, 224, 12, 768, 12, 32, 77, 49408, 512, 8, 12));
    PRESETS.put("vit-l14", new ClipConfig(768, 224, 24, 1024, 16, 14, 77, 49408, 768, 12, 12));
    // Full BPE vocabulary so the real tokenizer can drive it; everything else minimal.
    PRESETS.put("tiny", new ClipConfig(32, 32, 2, 64, 2, 8, 77, 49408, 64, 2, 1));
  }

  private ClipPresets() {}

  public static ClipConfig get(String name) {
    ClipConfig c = PRESETS.get(name);
    if (c == null) {
      throw new UnknownNameException("CLIP architecture", name, PRESETS.keySet());
    }
    return c;
  }

  /** Writes seeded random weights of a preset as OpenAI-named safetensors. */
  public static Path writeRandom(String name, long seed, Path file) {
    ClipModel model = new ClipModel(get(name));
    try (NDManager m = NDManager.newBaseManager()) {
      model.initializeRandom(m, seed);
      ClipWeights.save(model, file, Map.of("preset", name, "seed", Long.toString(seed)));
    }
    return file;
  }
}

package org.ovss.plugins.clippy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ovss.api.ImageTextSource;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.testkit.ToyCaptions;

/** Tiny CLIPpy models and a synthetic image-caption source for the tests. */
final class Tiny {
  private Tiny() {}

  /** Training settings of a tiny model: 32 px, patch 8 (16 patches), width 32, 2 + 1 blocks, embedding 16. */
  static Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("arch.image-size", "32");
    s.put("arch.patch", "8");
    s.put("arch.width", "32");
    s.put("arch.layers", "2");
    s.put("arch.heads", "2");
    s.put("arch.embed", "16");
    s.put("arch.text-width", "32");
    s.put("arch.text-layers", "1");
    s.put("arch.text-heads", "2");
    s.put("arch.context", "16");
    s.put("batch-size", "8");
    return s;
  }

  static Map<String, String> settings(String... extra) {
    Map<String, String> s = settings();
    for (int i = 0; i < extra.length; i += 2) {
      s.put(extra[i], extra[i + 1]);
    }
    return s;
  }

  /** A random tiny CLIPpy over {@code tokenizer}'s vocabulary, its arrays in {@code m}. */
  static ClippyModel model(ClipTokenizer tokenizer, ClippyConfig config, long seed, NDManager m) {
    ClipConfig c = new ClipConfig(16, 32, 2, 32, 2, 8, 16, tokenizer.vocabSize(), 32, 2, 2);
    ClipModel clip = new ClipModel(c);
    clip.initializeRandom(m, seed);
    return new ClippyModel(clip, config);
  }

  /** A tokenizer over the words of {@link #source}'s captions. */
  static ClipTokenizer tokenizer() {
    ImageTextSource s = source(36, 32, 32);
    List<String> captions = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      captions.addAll(s.captions(i));
    }
    return ClipTokenizer.ofWords(captions);
  }

  /** Exports the initialisation of a tiny CLIPpy trained from scratch (0 steps) into {@code dir}; returns the weights. */
  static Path checkpoint(Path dir, long seed) {
    try (NDManager m = NDManager.newBaseManager()) {
      ClippyTraining t = ClippyTraining.fromScratch(source(36, 32, 32), ClippyTrainSettings.of(settings()), seed, m);
      return t.export(dir);
    }
  }

  /** The test kit's toy image-caption source (coloured squares captioned by their colours). */
  static ImageTextSource source(int count, int height, int width) {
    return ToyCaptions.source(count, height, width);
  }
}

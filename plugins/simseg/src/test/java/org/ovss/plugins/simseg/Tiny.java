package org.ovss.plugins.simseg;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.ImageTextSource;
import org.ovss.api.MethodConfig;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainResult;
import org.ovss.api.TrainSpec;
import org.ovss.testkit.AdamTestEngine;
import org.ovss.testkit.ToyCaptions;

/** A tiny SimSeg architecture, a synthetic image-caption source and checkpoints written by the plugin's own export. */
final class Tiny {
  private Tiny() {}

  /** Training settings of a model small enough for unit tests (32 px, patch 8, one block per tower). */
  static final Map<String, String> SETTINGS = Map.ofEntries(
      Map.entry("batch-size", "6"), Map.entry("arch.image-size", "32"), Map.entry("arch.patch", "8"),
      Map.entry("arch.width", "32"), Map.entry("arch.layers", "1"), Map.entry("arch.heads", "2"),
      Map.entry("arch.embed", "16"), Map.entry("arch.text-width", "32"), Map.entry("arch.text-layers", "1"),
      Map.entry("arch.text-heads", "2"), Map.entry("arch.context", "16"));

  /** The test kit's toy image-caption source (coloured squares captioned by their colours). */
  static ImageTextSource source(int count, int size) {
    return ToyCaptions.source(count, size, size);
  }

  /** A random tiny SimSeg exported by the plugin's own training at 0 steps into {@code dir}; returns the weights file. */
  static Path checkpoint(Path dir, long seed) {
    try (SegmentationMethod m = new SimsegProvider().open(new MethodConfig(Optional.empty(), Optional.empty(), Map.of(), seed))) {
      TrainResult r = m.train(new TrainSpec(dir, 0, seed, SETTINGS), source(12, 32), new AdamTestEngine(1e-3), TrainListener.NONE);
      return r.checkpoint();
    }
  }
}

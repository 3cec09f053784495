package org.ovss.runner.cli;

import java.nio.file.Path;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ovss synth}: writes the synthetic benchmark. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Generate the synthetic benchmark: image-caption pairs with shape/stuff label maps in the VOC",
      "layout plus captions.jsonl; read as datasets synth-shapes, synth-shapes-bg and synth-stuff."})
final class SynthCommand implements Runnable {
  @Option(names = "--out", required = true, description = "output directory") Path out;
  @Option(names = "--train", defaultValue = "20000", description = "training pairs (default ${DEFAULT-VALUE})") int train;
  @Option(names = "--val", defaultValue = "500", description = "validation images (default ${DEFAULT-VALUE})") int val;
  @Option(names = "--size", defaultValue = "96", description = "image side in pixels (default ${DEFAULT-VALUE})") int size;
  @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})") long seed;

  @Override
  public void run() {
    SyntheticBenchmark.Summary s = SyntheticBenchmark.generate(out, new SynthConfig(train, val, size, seed));
    System.out.printf("wrote %d training pairs and %d val images to %s in %.1f s%n", s.train(), s.val(), s.root(), s.seconds());
  }
}

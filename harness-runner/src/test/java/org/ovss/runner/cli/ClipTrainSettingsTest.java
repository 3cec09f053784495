package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;

/** CLIP training's own settings are checked before training starts: a misspelt value is one line, exit 2. */
class ClipTrainSettingsTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void aGroupBatchesValueOtherThanTrueOrFalseIsRefused() {
    Path data = dir.resolve("synth");
    SyntheticBenchmark.generate(data, new SynthConfig(20, 2, 48, 1L));
    assertThat(Main.execute("train", "--method", "clip", "--data", data.toString(), "--out", dir.resolve("m").toString(),
        "--steps", "0", "-s", "arch.image-size=48", "-s", "batch-size=4", "-s", "group-batches=ture")).isEqualTo(2);
    assertThat(console.err()).contains("training setting 'group-batches' must be true or false, got 'ture'");
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Capability;
import org.ovss.runner.MethodRegistry;

/** {@code ovss demo --seeds N}: every seed's whole demo, and one board of means and deviations. */
class DemoSeedsTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @Test
  void seedsBelowOneAreAOneLineError() {
    assertThat(Main.execute("demo", "--seeds", "0", "--out", dir.toString())).isEqualTo(2);
    assertThat(console.err()).contains("--seeds must be at least 1, not 0");
    assertThat(dir.resolve("leaderboard.md")).doesNotExist();
  }

  /** Two quick demos with a few steps each: several minutes on two cores, so behind -Pdemo-seeds. */
  @Test
  @EnabledIfSystemProperty(named = "ovss.demo.seeds", matches = "true")
  void twoSeedsGiveOneBoardOfMeansAndDeviations() throws Exception {
    Path out = dir.resolve("demo");
    assertThat(Main.execute("demo", "--quick", "--seeds", "2", "--seed", "4", "--steps", "4", "--method-steps", "2",
        "--out", out.toString())).as(console.err()).isZero();
    for (String seed : new String[] {"seed-4", "seed-5"}) {
      assertThat(out.resolve(seed).resolve("synth-quick/synth.json")).exists();
      assertThat(Files.readString(out.resolve(seed).resolve("synth-quick/synth.json"))).contains("\"seed\" : "
          + seed.substring(5));
      assertThat(out.resolve(seed).resolve("results/clip/trained/synth-stuff/results.json")).exists();
    }
    // Each seed generates its own benchmark and trains anew: the seeds' trained CLIP weights differ.
    assertThat(Files.readAllBytes(out.resolve("seed-4/train/clip/weights.safetensors")))
        .isNotEqualTo(Files.readAllBytes(out.resolve("seed-5/train/clip/weights.safetensors")));
    String board = Files.readString(out.resolve("leaderboard.md"));
    assertThat(console.out()).contains(board.strip());
    String cell = "\\d+\\.\\d\\d ± \\d+\\.\\d\\d";
    Matcher rows = Pattern.compile("\\| [^|]+ \\| (trained|untrained) \\| " + cell + " \\| " + cell + " \\| " + cell
        + " \\| " + cell + " \\|").matcher(board);
    int count = 0;
    while (rows.find()) {
      count++;
    }
    long segmenting = MethodRegistry.discover().all().stream().filter(p -> p.info().has(Capability.SEGMENT)).count();
    assertThat(count).as(board).isEqualTo(2 * segmenting);
    assertThat(board).contains("over 2 seeds (4 to 5)").containsPattern("trained \\d+\\.\\d ± \\d+\\.\\d%");
    assertThat(Files.readString(out.resolve("report.html"))).contains(" ± ");
  }
}

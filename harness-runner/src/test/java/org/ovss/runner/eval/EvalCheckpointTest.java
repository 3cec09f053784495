package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.FeatureMetric;
import org.ovss.api.InvalidInputException;
import org.ovss.runner.metrics.IoUAccumulator;

class EvalCheckpointTest {
  private static final Map<String, String> RUN = Map.of("method", "sclip", "protocolSha256", "aa", "images", "3");

  @TempDir Path dir;
  private final PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void aSavedCheckpointRestoresTheExactSumsAndTheCountOfImagesDone() {
    IoUAccumulator metric = new IoUAccumulator(3, 255);
    Map<String, FeatureMetric.Accumulator> features = Map.of("mean", new Mean());
    EvalCheckpoint saving = EvalCheckpoint.open(dir, RUN, false, console).every(1, 0);
    assertThat(saving.resume(metric, features)).isZero();
    metric.add(new int[] {0, 1, 2, 2}, new int[] {0, 1, 1, 255});
    features.get("mean").add(new float[] {0.1f}, 1, 1, 1, new int[] {0}, 1, 1, 255, -1);
    saving.imageDone(1, metric, features);
    metric.add(new int[] {1, 1}, new int[] {1, 2});
    features.get("mean").add(new float[] {0.3f}, 1, 1, 1, new int[] {0}, 1, 1, 255, -1);
    saving.imageDone(2, metric, features);

    IoUAccumulator restored = new IoUAccumulator(3, 255);
    Map<String, FeatureMetric.Accumulator> restoredFeatures = Map.of("mean", new Mean());
    assertThat(EvalCheckpoint.open(dir, RUN, false, console).resume(restored, restoredFeatures)).isEqualTo(2);
    assertThat(restored.state()).isDeepEqualTo(metric.state());
    assertThat(restored.images()).isEqualTo(2);
    assertThat(restoredFeatures.get("mean").result()).isEqualTo(features.get("mean").result());
  }

  @Test
  void aCheckpointOfAnotherRunIsRefusedNamingWhatDiffersUnlessRestarted() {
    saveOneImage();
    Map<String, String> other = new LinkedHashMap<>(RUN);
    other.put("protocolSha256", "bb");
    assertThatThrownBy(() -> EvalCheckpoint.open(dir, other, false, console))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("protocolSha256 was aa, now bb")
        .hasMessageContaining("--restart");
    assertThat(EvalCheckpoint.open(dir, other, true, console).resume(new IoUAccumulator(3, 255), Map.of())).isZero();
    assertThat(dir.resolve(EvalCheckpoint.FILE)).as("--restart discards it").doesNotExist();
  }

  @Test
  void aDamagedCheckpointIsRefusedClearly() throws Exception {
    Files.writeString(dir.resolve(EvalCheckpoint.FILE), "{\"schema\": \"ovss-eval-checkpoint/1\", \"images\": ");
    assertThatThrownBy(() -> EvalCheckpoint.open(dir, RUN, false, console))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is damaged")
        .hasMessageContaining(EvalCheckpoint.FILE);
  }

  @Test
  void histogramsOfAnotherClassCountAreRefused() {
    saveOneImage();
    assertThatThrownBy(() -> EvalCheckpoint.open(dir, RUN, false, console).resume(new IoUAccumulator(5, 255), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("do not fit this run");
  }

  /** Leaves a checkpoint of {@link #RUN} after one image in {@link #dir}. */
  private void saveOneImage() {
    IoUAccumulator metric = new IoUAccumulator(3, 255);
    EvalCheckpoint saving = EvalCheckpoint.open(dir, RUN, false, console).every(1, 0);
    saving.resume(metric, Map.of());
    metric.add(new int[] {0}, new int[] {0});
    saving.imageDone(1, metric, Map.of());
  }

  /** The mean of the first feature value, resumable. */
  private static final class Mean implements FeatureMetric.Accumulator {
    private double sum;
    private double count;

    @Override
    public void add(float[] features, int d, int h, int w, int[] labels, int labelH, int labelW, int ignoreLabel,
        int backgroundLabel) {
      sum += features[0];
      count++;
    }

    @Override
    public double result() {
      return sum / count;
    }

    @Override
    public double[] state() {
      return new double[] {sum, count};
    }

    @Override
    public void restore(double[] state) {
      sum = state[0];
      count = state[1];
    }
  }
}

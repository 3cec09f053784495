package org.ovss.runner.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.OvssException;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;

/** A step whose gradient is not finite is skipped; a run of them stops training. */
class SkippedStepTest {
  @TempDir Path dir;

  /** Minimises (w - 3)^2, except at the given steps, where the gradient of sqrt(0 * w) is NaN. */
  private static final class Quadratic implements Trainable {
    private final NDManager manager = NDManager.newBaseManager();
    private final NDArray w = manager.create(new float[] {0f});
    private final Set<Integer> broken;

    Quadratic(Set<Integer> broken) {
      this.broken = broken;
    }

    @Override
    public Map<String, NDArray> parameters() {
      return Map.of("w", w);
    }

    @Override
    public NDArray loss(NDManager scope, int step, long seed) {
      NDArray x = scope.zeros(w.getShape()).add(w);
      if (broken.contains(step)) {
        return x.mul(0f).sqrt().sum(); // value 0, gradient 0 * inf = NaN
      }
      return x.sub(3f).square().sum();
    }

    @Override
    public Path export(Path directory) {
      return directory;
    }
  }

  @Test
  void aSingleNonFiniteGradientSkipsItsStepOnly() throws Exception {
    Map<String, String> config = Map.of("lr", "0.1", "warmup-steps", "1");
    Quadratic clean = new Quadratic(Set.of());
    new DjlTrainingEngine().fit(clean, new TrainSpec(dir.resolve("clean"), 40, 1L, config), TrainListener.NONE);
    Quadratic model = new Quadratic(Set.of(3));
    new DjlTrainingEngine().fit(model, new TrainSpec(dir, 40, 1L, config), TrainListener.NONE);
    // About one step (lr = 0.1, plus the moments it did not feed) behind the clean run, and finite.
    assertThat(model.w.getFloat()).isFinite().isBetween(clean.w.getFloat() - 0.2f, clean.w.getFloat() - 0.01f);
    assertThat(clean.w.getFloat()).isGreaterThan(1.5f);
    List<String> log = Files.readAllLines(dir.resolve("train-log.jsonl"));
    assertThat(log).hasSize(40);
    assertThat(log.get(3)).contains("\"step\":4").contains("NaN");
  }

  @Test
  void aRunOfNonFiniteGradientsStopsTraining() {
    Quadratic model = new Quadratic(Set.of(2, 3, 4, 5, 6));
    assertThatThrownBy(() -> new DjlTrainingEngine().fit(model, new TrainSpec(dir, 40, 1L, Map.of()), TrainListener.NONE))
        .isInstanceOf(OvssException.class).hasMessageContaining("steps 3 to 7");
  }
}

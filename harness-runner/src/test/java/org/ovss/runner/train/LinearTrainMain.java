package org.ovss.runner.train;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.ovss.api.TrainSpec;

/**
 * A training run as its own process, for {@link TrainKillResumeTest} to kill and restart: trains
 * {@link LinearRegression} with {@link LinearRegression#CONFIG} (seed {@value #SEED}), sleeping after
 * each step so that the run lasts long enough to be killed in the middle.
 *
 * <p>Arguments: output directory, steps, checkpoint interval, milliseconds to sleep per step.
 */
public final class LinearTrainMain {

  static final long SEED = 11;
  /** Printed before the number of the first step this process completes. */
  static final String FIRST_STEP = "first step: ";

  private LinearTrainMain() {}

  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    int steps = Integer.parseInt(args[1]);
    long sleepMillis = Long.parseLong(args[3]);
    boolean[] first = {true};
    try (LinearRegression model = new LinearRegression(1)) {
      new DjlTrainingEngine()
          .fit(model, spec(out, steps, args[2]), (step, total, loss, lr) -> {
            if (first[0]) {
              // tells the test where this process took over
              System.out.println(FIRST_STEP + step);
              first[0] = false;
            }
            try {
              Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted", e);
            }
          });
    }
  }

  /** The spec of the run, shared with the uninterrupted run the test compares against. */
  static TrainSpec spec(Path out, int steps, String checkpointEvery) {
    Map<String, String> config = new HashMap<>(LinearRegression.CONFIG);
    config.put("checkpoint-every", checkpointEvery);
    return new TrainSpec(out, steps, SEED, config);
  }
}

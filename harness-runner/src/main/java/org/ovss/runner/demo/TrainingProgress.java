package org.ovss.runner.demo;

import java.io.PrintStream;
import org.ovss.api.TrainListener;
import org.ovss.runner.eval.ProgressBar;

/** Training progress on the console: a bar with the step count, loss, learning rate and ETA. */
public final class TrainingProgress implements TrainListener {
  private final ProgressBar bar;

  public TrainingProgress(PrintStream out, String label, int totalSteps) {
    bar = new ProgressBar(out, label, totalSteps);
  }

  @Override
  public void onStep(int step, int totalSteps, double loss, double learningRate) {
    bar.update(step, String.format("loss %.4f lr %.2e", loss, learningRate));
  }
}

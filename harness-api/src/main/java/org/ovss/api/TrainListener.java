package org.ovss.api;

/** Receives training progress; the runner turns it into a progress bar and a log. */
public interface TrainListener {

  void onStep(int step, int totalSteps, double loss, double learningRate);

  TrainListener NONE = (step, total, loss, lr) -> { };
}

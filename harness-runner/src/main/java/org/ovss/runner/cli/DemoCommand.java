package org.ovss.runner.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ovss.api.Capability;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.TrainResult;
import org.ovss.clip.method.ZeroShotClassifier;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.datasets.synth.SynthConfig;
import org.ovss.datasets.synth.SyntheticBenchmark;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Boards;
import org.ovss.leaderboards.ResultStore;
import org.ovss.leaderboards.StoredResult;
import org.ovss.reports.Renderers;
import org.ovss.runner.MethodRegistry;
import org.ovss.runner.demo.CaptionedImages;
import org.ovss.runner.demo.DemoBoard;
import org.ovss.runner.eval.EvalResults;
import org.ovss.runner.eval.EvalRun;
import org.ovss.runner.report.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ovss demo}: the whole loop on one machine. Generates the synthetic benchmark, trains every
 * method that can train (and exports each one's untrained initialisation), evaluates every method on
 * the synthetic val split, trained and untrained, under the {@code synth} protocol, and prints the board.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Train, evaluate and rank every discovered method on the built-in synthetic benchmark.",
      "Training-free methods run on the CLIP that the 'clip' method trains. Results: DIR/results/METHOD/VARIANT/",
      "DATASET/results.json (with predictions/), the store DIR/results/store, the synth board as DIR/leaderboard.md and",
      "the HTML report DIR/report.html. --quick uses a smaller benchmark and fewer steps."})
final class DemoCommand implements Runnable {
  /** The CLIP every training-free method runs on. */
  private static final String BACKBONE = "clip";

  @Option(names = "--out", defaultValue = "ovss-demo", description = "output directory (default ${DEFAULT-VALUE})") Path out;
  @Option(names = "--quick", description = "small benchmark and short training (about 3 minutes on 2 cores)") boolean quick;
  @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})") long seed;
  /** Engine of the evaluations (training runs on PyTorch); a method without ONNX Runtime support evaluates on PyTorch. */
  @Mixin ExecutionOptions execution;
  @Option(names = "--steps", description = "training steps of the CLIP backbone (default 500, --quick 60)") Integer steps;
  @Option(names = "--method-steps", description = "training steps of every other trained method (default 100, --quick 25)")
  Integer methodSteps;
  @Option(names = {"-s", "--set"}, description = {"training setting NAME=VALUE for every trained method, or",
      "METHOD:NAME=VALUE for one method (repeatable), e.g. -s lr=1e-3 -s groupvit:batch-size=16"})
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--seeds", defaultValue = "1", description = {"run the whole demo (data, initialisation, training)",
      "for seeds SEED, SEED+1, ... under DIR/seed-S and show each cell's mean ± standard deviation (default 1)"})
  int seeds;

  @Override
  public void run() {
    long start = System.nanoTime();
    if (seeds < 1) {
      throw new InvalidInputException("--seeds must be at least 1, not " + seeds);
    }
    // Budgets for two cores (issue 4): the full demo within 15 minutes, --quick within 3.
    int trainPairs = quick ? 3000 : 20000;
    int valImages = quick ? 50 : 400;
    int trainSteps = steps != null ? steps : quick ? 60 : 500;
    int otherSteps = methodSteps != null ? methodSteps : quick ? 25 : 100;
    BoardDefinition definition = Boards.get("synth");
    if (seeds == 1) {
      Run run = runOnce(out, seed, trainPairs, valImages, trainSteps, otherSteps);
      List<String> notes = run.board().notes(run.steps(), trainPairs, valImages, (System.nanoTime() - start) / 1e9);
      write(BoardTable.build(definition, run.results()), notes);
      return;
    }
    List<BoardTable> tables = new ArrayList<>();
    List<DemoBoard> boards = new ArrayList<>();
    Map<String, Integer> stepsRun = Map.of();
    for (int k = 0; k < seeds; k++) {
      long s = seed + k;
      System.err.println("demo: seed " + s + " (" + (k + 1) + " of " + seeds + ")");
      Run run = runOnce(out.resolve("seed-" + s), s, trainPairs, valImages, trainSteps, otherSteps);
      tables.add(BoardTable.build(definition, run.results()));
      boards.add(run.board());
      stepsRun = run.steps();
    }
    List<String> notes = DemoBoard.notesAcrossSeeds(boards, seed, stepsRun, trainPairs, valImages,
        (System.nanoTime() - start) / 1e9);
    write(BoardTable.acrossRuns(tables), notes);
  }

  /** What one seed's demo produced: its results (this run's cells only), zero-shot figures and training steps. */
  private record Run(List<StoredResult> results, DemoBoard board, Map<String, Integer> steps) {}

  /** The whole demo for one seed under {@code dir}: data, training, zero-shot check, evaluation. */
  private Run runOnce(Path dir, long seed, int trainPairs, int valImages, int trainSteps, int otherSteps) {
    Path data = dir.resolve(quick ? "synth-quick" : "synth");
    SynthConfig synth = new SynthConfig(trainPairs, valImages, 96, seed);
    // An earlier demo's data of another benchmark version, size or seed is written again (results never mix).
    if (!SyntheticBenchmark.holds(data, synth)) {
      System.err.println("demo: generating the synthetic benchmark (" + trainPairs + " train, " + valImages + " val, seed "
          + seed + ") in " + data);
      SyntheticBenchmark.generate(data, synth);
    }
    MethodRegistry registry = MethodRegistry.discover();
    Map<String, Map<String, Path>> weights = new LinkedHashMap<>(); // method -> variant -> weights file
    Map<String, Integer> stepsRun = new LinkedHashMap<>();
    for (MethodProvider p : trainingOrder(registry.all())) {
      Optional<Path> from = Optional.empty();
      if (p.info().trainsFrom().isPresent()) {
        Map<String, Path> backbone = weights.get(p.info().trainsFrom().get());
        if (backbone == null) {
          System.err.println("demo: skipping " + p.id() + ": it trains from '" + p.info().trainsFrom().get()
              + "', which was not trained");
          continue;
        }
        // Both variants start from the trained backbone: "untrained" is the method's own initialisation on it.
        from = Optional.of(backbone.get(DemoBoard.TRAINED));
      }
      Map<String, Path> variants = new LinkedHashMap<>();
      int n = p.id().equals(BACKBONE) ? trainSteps : otherSteps;
      Map<String, String> own = settingsFor(p.id(), settings);
      TrainResult trained = TrainCommand.train(p, data, dir.resolve("train").resolve(p.id()), n, seed, own, from);
      variants.put(DemoBoard.TRAINED, trained.checkpoint());
      stepsRun.put(p.id(), n);
      TrainResult initial = TrainCommand.train(p, data, dir.resolve("untrained").resolve(p.id()), 0, seed, own, from);
      variants.put(DemoBoard.UNTRAINED, initial.checkpoint());
      weights.put(p.id(), variants);
    }
    DemoBoard board = new DemoBoard();
    if (weights.containsKey(BACKBONE)) {
      for (Map.Entry<String, Path> v : weights.get(BACKBONE).entrySet()) {
        board.zeroShot(v.getKey(), zeroShotAccuracy(v.getValue(), data), SyntheticBenchmark.SHAPES.size());
      }
    }
    Set<String> evaluated = new HashSet<>();
    for (MethodProvider p : registry.all()) {
      if (!p.info().has(Capability.SEGMENT)) {
        continue;
      }
      Map<String, Path> variants = weights.getOrDefault(p.id(), weights.get(BACKBONE));
      if (variants == null) {
        System.err.println("demo: skipping " + p.id() + ": it does not train and no '" + BACKBONE + "' backbone was trained");
        continue;
      }
      for (Map.Entry<String, Path> v : variants.entrySet()) {
        for (String dataset : SyntheticBenchmark.SPECS) {
          MethodConfig config = new MethodConfig(Optional.of(v.getValue()), Optional.empty(), Map.of(), seed,
              execution.resolveOrPytorch(p));
          EvalResults r = EvalRun.run(new EvalRun.Request(p, config, DatasetSpecs.get(dataset), data, "synth", Map.of(),
              null, true, 16, dir.resolve("results").resolve(p.id()).resolve(v.getKey()).resolve(dataset)), v.getKey(),
              System.err);
          evaluated.add(StoredResult.key(r.method(), r.weightsSha256(), r.dataset(), r.protocolSha256(),
              r.datasetVersion()));
        }
      }
    }
    // The board comes from the result store, like 'ovss board synth'; only this run's cells, so results of an
    // earlier demo with other weights or of an earlier benchmark version under the same directory do not add rows.
    ResultStore store = ResultStore.open(dir.resolve("results"));
    store.collect();
    List<StoredResult> thisRun = store.results().stream().filter(r -> evaluated.contains(r.key())).toList();
    return new Run(thisRun, board, stepsRun);
  }

  /** Renders the board as leaderboard.md and report.html under --out and prints the Markdown. */
  private void write(BoardTable table, List<String> notes) {
    String markdown = Renderers.get("md").render(Reports.board(table, notes, 0, System.err));
    Reports.write(out.resolve("leaderboard.md"), markdown);
    Reports.write(out.resolve("report.html"), Renderers.get("html").render(Reports.board(table, notes, 3, System.err)));
    System.out.println(markdown);
    System.out.println("wrote " + out.resolve("leaderboard.md") + ", " + out.resolve("report.html")
        + " and results (with predictions) under " + (seeds == 1 ? out.resolve("results") : out.resolve("seed-*/results")));
  }

  /**
   * The settings of one method: every unscoped {@code NAME=VALUE}, then its own {@code METHOD:NAME=VALUE} (which
   * win). Settings scoped to other methods are left out, so each method sees only keys meant for it.
   */
  static Map<String, String> settingsFor(String method, Map<String, String> settings) {
    Map<String, String> own = new LinkedHashMap<>();
    Map<String, String> scoped = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      int colon = key.indexOf(':');
      if (colon < 0) {
        own.put(key, value);
      } else if (key.substring(0, colon).equals(method)) {
        scoped.put(key.substring(colon + 1), value);
      }
    });
    own.putAll(scoped);
    return own;
  }

  /** The methods that train, each after the method it trains from (discovery order otherwise). */
  static List<MethodProvider> trainingOrder(Collection<MethodProvider> providers) {
    Map<String, MethodProvider> trainable = new LinkedHashMap<>();
    for (MethodProvider p : providers) {
      if (p.info().has(Capability.TRAIN)) {
        trainable.put(p.id(), p);
      }
    }
    List<MethodProvider> order = new ArrayList<>();
    Set<String> visiting = new HashSet<>();
    for (MethodProvider p : trainable.values()) {
      visit(p, trainable, order, visiting);
    }
    return order;
  }

  private static void visit(MethodProvider p, Map<String, MethodProvider> trainable, List<MethodProvider> order,
      Set<String> visiting) {
    if (order.contains(p)) {
      return;
    }
    if (!visiting.add(p.id())) {
      throw new InvalidInputException("methods train from each other in a cycle through '" + p.id() + "'");
    }
    Optional<String> from = p.info().trainsFrom();
    if (from.isPresent() && trainable.containsKey(from.get())) {
      visit(trainable.get(from.get()), trainable, order, visiting);
    }
    order.add(p);
  }

  /** Zero-shot shape classification of the val images that show exactly one shape. */
  private static double zeroShotAccuracy(Path weights, Path data) {
    CaptionedImages.SingleShapes val = new CaptionedImages(data, "val").singleShapes();
    if (val.images().isEmpty()) {
      return Double.NaN;
    }
    try (ZeroShotClassifier classifier = new ZeroShotClassifier(weights, SyntheticBenchmark.SHAPES, PromptSet.named("synth"))) {
      return classifier.accuracy(val.images(), val.labels());
    }
  }
}

package org.ovss.runner.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ovss.datasets.DatasetCheck;
import org.ovss.datasets.DatasetSpec;
import org.ovss.datasets.DatasetSpecs;
import org.ovss.runner.eval.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss datasets}: look at a dataset root before trusting a number computed on it. */
@Command(name = "datasets", mixinStandardHelpOptions = true, subcommands = DatasetsCommand.Check.class,
    description = "Dataset roots: 'ovss datasets check DATASET --data-root DIR'.")
final class DatasetsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Check a dataset root against its spec: samples against the split and the official val size,",
        "every label value a class or the ignore index (the first bad file and value named), the reduce_zero_label",
        "convention of the maps against the spec's, image and label sizes, the per-class pixel histogram (classes",
        "that never occur named) and the SHA-256 of the split. Exit status 1 with one 'problem:' line per problem."})
  static final class Check implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET", description = "dataset name or spec JSON file")
    String dataset;

    @Option(names = "--data-root", required = true, description = "the dataset root, as for 'ovss eval'")
    Path dataRoot;

    @Override
    public Integer call() {
      DatasetSpec spec = Files.isRegularFile(Path.of(dataset)) ? DatasetSpecs.load(Path.of(dataset))
          : DatasetSpecs.get(dataset);
      ProgressBar[] bar = {null};
      DatasetCheck.Report r = DatasetCheck.full(spec, dataRoot, (done, total) -> {
        if (bar[0] == null) {
          bar[0] = new ProgressBar(System.err, "check " + spec.name(), total);
        }
        bar[0].update(done, "");
      });
      System.out.printf(Locale.ROOT, "dataset %s under %s: %d samples (official val split: %s)%n", spec.name(),
          dataRoot, r.samples(), spec.expectedValSize() > 0 ? Integer.toString(spec.expectedValSize()) : "unknown");
      if (r.splitSha256() != null) {
        System.out.println("split sha256 " + r.splitSha256());
        System.out.println("label convention of the maps: " + r.convention() + "; spec: "
            + (spec.reduceZeroLabel() ? "reduce_zero_label" : "as stored") + ", ignore index " + spec.ignoreIndex());
        long total = r.ignorePixels();
        for (long p : r.classPixels()) {
          total += p;
        }
        System.out.println("pixels per class:");
        for (int c = 0; c < r.classPixels().length; c++) {
          System.out.printf(Locale.ROOT, "  %3d %-24s %,15d %7.3f%%%n", c, spec.classes().get(c).name(),
              r.classPixels()[c], 100.0 * r.classPixels()[c] / Math.max(1, total));
        }
        System.out.printf(Locale.ROOT, "  ignore (%d) %,28d %7.3f%%%n", spec.ignoreIndex(), r.ignorePixels(),
            100.0 * r.ignorePixels() / Math.max(1, total));
      }
      r.notes().forEach(n -> System.out.println("note: " + n));
      r.problems().forEach(p -> System.out.println("problem: " + p));
      System.out.println(r.problems().isEmpty() ? "no problems found" : r.problems().size() + " problem(s)");
      return r.problems().isEmpty() ? 0 : 1;
    }
  }
}

package org.ovss.runner.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.ovss.api.InvalidInputException;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.ResultStore;
import org.ovss.leaderboards.StoredResult;
import org.ovss.reports.Renderers;
import org.ovss.runner.eval.ProgressBar;
import org.ovss.runner.eval.ShardExecutor;
import org.ovss.runner.plan.Plan;
import org.ovss.runner.plan.PlanCells;
import org.ovss.runner.plan.PlanCells.Cell;
import org.ovss.runner.plan.PlanCells.State;
import org.ovss.runner.plan.PlanCells.Status;
import org.ovss.runner.report.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss run PLAN.json}: every cell of a plan, skipping the done ones, then the board. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Evaluate every cell (method x dataset x protocol) of a plan file, skipping cells whose result is",
      "in the store with the same fingerprint and resuming cut ones, then render the board (Markdown here, the other",
      "formats into the output folder). Exit status 1 when a cell failed (the others still run). See README."})
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PLAN", description = "plan JSON file")
  Path planFile;

  @Option(names = "--out", description = "output folder (default: the plan's \"out\", relative to the plan's folder)")
  Path out;

  @Option(names = "--dry-run", description = "list the cells and whether each is done, partial or to do; evaluate nothing")
  boolean dryRun;

  @Option(names = "--spark", paramLabel = "MASTER", description = "evaluate on Apache Spark: local[N], spark://HOST:PORT")
  String spark;

  @Option(names = "--threads", description = "libtorch intra-op threads per process (default: libtorch's, the cores)")
  Integer threads;

  @Override
  public Integer call() {
    EngineThreads.apply(threads, null);
    Plan plan = Plan.read(planFile);
    Path outDir = PlanCells.out(plan, planFile, out);
    List<String> notes = new ArrayList<>();
    List<Cell> cells = PlanCells.expand(plan, planFile, outDir, notes);
    notes.forEach(n -> System.err.println("note: " + n));
    BoardDefinition board = PlanCells.board(plan, planFile, cells);
    List<String> formats = plan.formats() == null ? List.of("html", "csv", "tex", "json") : plan.formats();
    formats.forEach(Renderers::get); // an unknown format is refused before any cell runs
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the output folder " + outDir + ": " + e.getMessage(), e);
    }
    ResultStore store = ResultStore.open(outDir);
    store.collect();
    PlanCells states = new PlanCells();
    List<Status> status = new ArrayList<>();
    for (Cell c : cells) {
      status.add(states.status(c, store));
    }
    if (dryRun) {
      System.out.printf("%-4s %-8s %-7s %s%n", "cell", "state", "images", "what (folder)");
      for (int i = 0; i < cells.size(); i++) {
        Cell c = cells.get(i);
        Status s = status.get(i);
        System.out.printf("%-4d %-8s %-7d %s (%s)%s%n", c.number(), label(s.state()), s.images(), c.title(),
            outDir.relativize(c.dir()), s.problem() == null ? "" : ": " + s.problem());
      }
      return 0;
    }
    List<String> failed = new ArrayList<>();
    long todoImages = 0;
    for (int i = 0; i < cells.size(); i++) {
      if (status.get(i).state() != State.DONE) {
        todoImages += status.get(i).images();
      }
    }
    long doneImages = 0;
    long started = System.nanoTime();
    ShardExecutor executor = null; // started for the first cell that needs it
    try {
      for (int i = 0; i < cells.size(); i++) {
        Cell c = cells.get(i);
        Status s = status.get(i);
        String head = "cell " + c.number() + "/" + cells.size() + " " + c.title();
        if (s.state() == State.DONE) {
          System.err.println(head + ": done (in the store with the same fingerprint), skipped");
          continue;
        }
        if (s.state() == State.ERROR) {
          System.err.println(head + ": FAILED: " + s.problem());
          failed.add(c.title() + ": " + s.problem());
          continue;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String eta = doneImages == 0 ? "ETA after the first cell"
            : "ETA " + ProgressBar.format((long) ((todoImages - doneImages) * seconds / doneImages)) + " for "
                + (todoImages - doneImages) + " images";
        System.err.println(head + " (" + s.images() + " images" + (s.state() == State.PARTIAL ? ", resuming" : "")
            + "); " + eta);
        if (spark != null && executor == null) {
          executor = ShardExecutor.connect(spark, System.err);
        }
        try {
          c.job().run(s.state() == State.TODO, System.err, executor, plan.shardImages());
          PlanCells.recordFingerprint(c, s.fingerprint());
        } catch (RuntimeException e) {
          System.err.println(head + ": FAILED: " + e.getMessage());
          failed.add(c.title() + ": " + e.getMessage());
        }
        doneImages += s.images();
      }
    } finally {
      if (executor != null) {
        executor.close();
      }
    }
    store.collect();
    Set<Path> dirs = cells.stream().map(Cell::dir).collect(Collectors.toSet());
    List<StoredResult> ours = store.results().stream()
        .filter(r -> dirs.contains(r.source().toAbsolutePath().normalize())).toList();
    String markdown = Renderers.get("md").render(Reports.board(board, ours, notes, 0, System.err));
    System.out.print(markdown);
    Reports.write(outDir.resolve("leaderboard.md"), markdown);
    List<String> written = new java.util.ArrayList<>(List.of(outDir.resolve("leaderboard.md").toString()));
    for (String format : formats) {
      String name = format.equals("html") ? "report.html" : "leaderboard." + format;
      Reports.write(outDir.resolve(name), Renderers.get(format).render(
          Reports.board(board, ours, notes, format.equals("html") ? 3 : 0, System.err)));
      written.add(outDir.resolve(name).toString());
    }
    System.err.println("wrote " + String.join(", ", written));
    if (!failed.isEmpty()) {
      System.err.println(failed.size() + " of " + cells.size() + " cells failed:");
      failed.forEach(f -> System.err.println("  " + f));
      return 1;
    }
    return 0;
  }

  private static String label(State s) {
    return switch (s) {
      case DONE -> "done";
      case PARTIAL -> "partial";
      case TODO -> "to do";
      case ERROR -> "error";
    };
  }
}

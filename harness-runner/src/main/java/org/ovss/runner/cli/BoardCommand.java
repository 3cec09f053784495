package org.ovss.runner.cli;

import java.util.List;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.Boards;
import org.ovss.leaderboards.ResultStore;
import org.ovss.reports.ReportRenderer;
import org.ovss.reports.Renderers;
import org.ovss.runner.report.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss board}: a leaderboard rendered from the result store, nothing recomputed. */
@Command(name = "board", mixinStandardHelpOptions = true,
    description = {"Render a leaderboard from stored results. Every results.json under --results is first collected",
      "into the store DIR/store (index.json + cells/; a cell run again replaces the stored one).",
      "Boards: sclip-8, groupvit, synth, or a board JSON file."})
final class BoardCommand implements Runnable {
  @Parameters(index = "0", paramLabel = "NAME", description = "board name (sclip-8, groupvit, synth) or board JSON file")
  String name;

  @Mixin ReportOptions io;

  @Option(names = "--format", defaultValue = "md", description = "md, html, csv, tex or json (default ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--overlays", defaultValue = "3",
      description = "HTML: images per method with image / ground truth / prediction (default ${DEFAULT-VALUE})")
  int overlays;

  @Override
  public void run() {
    BoardDefinition def = Boards.get(name);
    ReportRenderer renderer = Renderers.get(format);
    ResultStore store = io.collect();
    String text = renderer.render(Reports.board(def, store.results(), List.of(), format.equals("html") ? overlays : 0,
        System.err));
    io.emit(text);
  }
}

package org.ovss.runner.cli;

import org.ovss.leaderboards.Comparison;
import org.ovss.leaderboards.ResultStore;
import org.ovss.reports.ComparisonReport;
import org.ovss.reports.ReportRenderer;
import org.ovss.reports.Renderers;
import org.ovss.runner.report.Overlays;
import org.ovss.runner.report.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss compare}: two runs side by side from the result store. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compare two stored runs: per-dataset and per-class differences and the images where their saved",
      "predictions disagree most. A run is METHOD[/WEIGHTS][@PROTOCOL]: two methods (sclip clip/trained) or one method",
      "under two protocols (sclip@sclip sclip@sclip-paper). WEIGHTS is a weights label or a weights-hash prefix."})
final class CompareCommand implements Runnable {
  @Parameters(index = "0", paramLabel = "A", description = "first run, METHOD[/WEIGHTS][@PROTOCOL]") String a;
  @Parameters(index = "1", paramLabel = "B", description = "second run; differences are B minus A") String b;

  @Mixin ReportOptions io;

  @Option(names = "--format", defaultValue = "md", description = "md, html or json (default ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--images", defaultValue = "6", description = "images where they disagree most (default ${DEFAULT-VALUE})")
  int images;

  @Override
  public void run() {
    ReportRenderer renderer = Renderers.get(format);
    Comparison.Selector sa = Comparison.Selector.parse(a);
    Comparison.Selector sb = Comparison.Selector.parse(b);
    ResultStore store = io.collect();
    Comparison comparison = Comparison.of(store.results(), sa, sb);
    ComparisonReport report = new ComparisonReport(comparison, Reports.now(),
        new Overlays(System.err).disagreements(comparison, images));
    io.emit(renderer.render(report));
  }
}

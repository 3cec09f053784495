package org.ovss.runner.cli;

import java.nio.file.Path;
import org.ovss.leaderboards.ResultStore;
import org.ovss.runner.report.Reports;
import picocli.CommandLine.Option;

/** Where {@code ovss board} and {@code ovss compare} read stored results and where their report goes. */
final class ReportOptions {
  @Option(names = "--results", required = true, description = "directory holding results.json files (searched recursively)")
  Path results;

  @Option(names = "--out", description = "write to this file instead of standard output")
  Path out;

  /** The store under --results with every results.json there collected into it. */
  ResultStore collect() {
    ResultStore store = ResultStore.open(results);
    ResultStore.Collected c = store.collect();
    System.err.printf("store %s: %d new, %d replaced, %d unchanged cells%n", store.indexFile(), c.added(), c.replaced(),
        c.unchanged());
    return store;
  }

  void emit(String text) {
    if (out == null) {
      System.out.print(text);
    } else {
      Reports.write(out, text);
      System.err.println("wrote " + out);
    }
  }
}

package org.ovss.runner.eval;

import java.io.PrintStream;
import java.time.Duration;

/** A one-line console progress bar with counts, rate and ETA, redrawn at most a few times a second. */
public final class ProgressBar {
  private final PrintStream out;
  private final String label;
  private final long total;
  private final long from;
  private final long start = System.nanoTime();
  private long lastDraw;

  public ProgressBar(PrintStream out, String label, long total) {
    this(out, label, total, 0);
  }

  /** A bar whose first {@code from} items were done before it started (the rate counts only the ones after). */
  public ProgressBar(PrintStream out, String label, long total, long from) {
    this.out = out;
    this.label = label;
    this.total = total;
    this.from = from;
  }

  /** Shows {@code done} of the total; {@code extra} is appended (e.g. a running metric). */
  public void update(long done, String extra) {
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 200_000_000L) {
      return;
    }
    lastDraw = now;
    double seconds = (now - start) / 1e9;
    double rate = (done - from) / Math.max(seconds, 1e-9);
    long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
    int width = 30;
    int filled = total == 0 ? width : (int) (width * done / total);
    String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
    out.printf("\r%s [%s] %d/%d  %.2f/s  ETA %s %s", label, bar, done, total, rate, format(eta), extra == null ? "" : extra);
    if (done >= total) {
      out.println();
    }
    out.flush();
  }

  /** Seconds as h:mm:ss. */
  public static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}

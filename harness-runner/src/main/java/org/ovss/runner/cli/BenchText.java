package org.ovss.runner.cli;

import java.util.List;
import java.util.Map;

/** The human-readable form of a bench report. */
final class BenchText {
  private BenchText() {}

  static String render(Map<String, Object> r) {
    StringBuilder b = new StringBuilder();
    List<?> size = (List<?>) r.get("imageSize");
    List<?> resized = (List<?>) r.get("resizedSize");
    b.append(String.format("%s, %s, protocol %s: %d images of %sx%s (resized %sx%s, %s windows, batch %s), %s classes%n",
        r.get("method"), r.get("weights"), r.get("protocol"), (Integer) r.get("images"), size.get(0), size.get(1),
        resized.get(0), resized.get(1), r.get("windows"), r.get("windowBatch"), r.get("classes")));
    Map<?, ?> ex = (Map<?, ?>) r.get("execution");
    b.append(String.format("engine %s %s on %s, threads %s, prefetch %s, images share forwards %s%n", ex.get("engine"),
        ex.get("precision"), ex.get("device"), r.get("threads"), r.get("prefetch"), r.get("crossImageBatches")));
    b.append(String.format("%-22s %10s %10s %10s%n", "stage (ms)", "p50", "p90", "p99"));
    for (Map.Entry<?, ?> e : ((Map<?, ?>) r.get("stages")).entrySet()) {
      Map<?, ?> s = (Map<?, ?>) e.getValue();
      b.append(String.format("%-22s %10.1f %10.1f %10.1f%n", e.getKey(), s.get("p50Ms"), s.get("p90Ms"), s.get("p99Ms")));
    }
    b.append(String.format("images/s %.3f  (%.3f s per image)%n", r.get("imagesPerSecond"), r.get("secondsPerImage")));
    b.append(String.format("bare batched encoder forward of the same windows %.3f s; overhead ratio %.3f%n",
        r.get("bareForwardSeconds"), r.get("overheadRatio")));
    if (r.get("cpuSecondsPerImage") != null) {
      b.append(String.format("CPU seconds (all threads) per image %.3f, bare forward %.3f; CPU overhead ratio %.3f%n",
          r.get("cpuSecondsPerImage"), r.get("bareForwardCpuSeconds"), r.get("cpuOverheadRatio")));
    } else {
      b.append("CPU seconds ").append(r.get("cpuNote")).append('\n');
    }
    b.append(String.format("text encode (once) %.2f s; model open %.2f s%n", r.get("textEncodeSeconds"), r.get("modelOpenSeconds")));
    b.append(String.format("peak RSS %.0f MiB (%s)", ((Number) r.get("peakRssBytes")).doubleValue() / (1 << 20), r.get("peakRssCovers")));
    return b.toString();
  }
}

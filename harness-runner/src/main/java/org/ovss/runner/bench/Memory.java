package org.ovss.runner.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from {@code /proc/self/status} (Linux), -1 elsewhere; and its CPU time. */
public final class Memory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private Memory() {}

  /**
   * CPU time of the whole process (every thread, native ones included: libtorch's and ONNX Runtime's pools) in
   * nanoseconds, or -1 where the JVM cannot tell. On a machine shared with other work it measures what a run costs
   * better than wall time does.
   */
  public static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * The step of {@link #processCpuNanos()}: HotSpot on Linux reads it with {@code times(2)}, which counts whole clock
   * ticks ({@code CLK_TCK}, 100 per second on Linux), so a CPU time shorter than a few ticks reads as 0 or 10 ms.
   */
  public static final long CPU_CLOCK_STEP_NANOS = 10_000_000L;

  /**
   * The fewest clock steps a CPU total must span to be reported: 50 steps (0.5 s) bound the rounding error by 2%.
   */
  public static final int CPU_MIN_STEPS = 50;

  /** Whether a CPU total of {@code nanos} is long enough for the process clock to measure it (see above). */
  public static boolean cpuMeasurable(long nanos) {
    return nanos >= CPU_MIN_STEPS * CPU_CLOCK_STEP_NANOS;
  }

  /** Peak resident set size (VmHWM) in bytes. */
  public static long peakRss() {
    return field("VmHWM:");
  }

  public static long rss() {
    return field("VmRSS:");
  }

  /**
   * Starts the peak over from the current RSS (writing 5 to {@code clear_refs}), so that a phase before the
   * measured one (writing random weights) does not count; false where the kernel refuses.
   */
  public static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}

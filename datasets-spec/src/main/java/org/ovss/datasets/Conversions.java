package org.ovss.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.ovss.api.InvalidInputException;

/**
 * Runs a converter's per-file jobs the way every {@code ovss prepare} converter does: an output that exists is a
 * finished one (outputs are written atomically) and is never rewritten, so a killed conversion resumes where it
 * stopped; temporary files of killed writes are removed first; files are independent, so they run on every core.
 */
public final class Conversions {
  private Conversions() {}

  /** Progress of a conversion: {@code done} of {@code total} jobs finished (written or found finished). */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> { };

    void update(int done, int total);
  }

  /** One output file and the work that writes it. */
  public record Job(Path output, Runnable write) {}

  /** What a conversion did. */
  public record Report(int written, int skipped) {
    /** Every output, written now or found finished. */
    public int total() {
      return written + skipped;
    }
  }

  /**
   * Runs the jobs whose output does not exist yet.
   *
   * @throws InvalidInputException from the first job that refused its input (naming it); outputs written before
   *     stay, so the next run resumes after them
   */
  public static Report run(List<Job> jobs, Progress progress) {
    Set<Path> dirs = new LinkedHashSet<>();
    jobs.forEach(j -> dirs.add(j.output().toAbsolutePath().getParent()));
    for (Path dir : dirs) {
      try {
        AtomicFiles.removeLeftovers(dir);
      } catch (IOException e) {
        throw new InvalidInputException("cannot clean temporary files in " + dir + ": " + e.getMessage(), e);
      }
    }
    AtomicInteger done = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    int total = jobs.size();
    progress.update(0, total);
    jobs.parallelStream().forEach(job -> {
      if (Files.exists(job.output())) {
        skipped.incrementAndGet();
      } else {
        job.write().run();
      }
      synchronized (progress) {
        progress.update(done.incrementAndGet(), total);
      }
    });
    return new Report(total - skipped.get(), skipped.get());
  }
}

package org.ovss.runner.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ovss.api.InvalidInputException;

/**
 * {@code DIR/.ovss.lock}: one run at a time per output directory. The file holds the owner's pid, host and
 * process start time; a lock whose owner is gone (no such pid on this host, or the pid now belongs to a process
 * started at another time) is stale and taken over with a note, a live one is refused naming its pid.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".ovss.lock";
  private static final String HOST = hostName();

  private final Path file;
  private final String content;

  private RunLock(Path file, String content) {
    this.file = file;
    this.content = content;
  }

  /**
   * Takes the lock of {@code dir} (which must exist).
   *
   * @throws InvalidInputException naming the owner's pid when another live process holds it
   */
  public static RunLock acquire(Path dir, PrintStream console) {
    Path file = dir.resolve(FILE);
    String mine = describe(ProcessHandle.current());
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        Files.writeString(file, mine, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new RunLock(file, mine);
      } catch (FileAlreadyExistsException e) {
        Map<String, String> owner = read(file);
        if (owner == null) {
          continue; // released between our create and read: try again
        }
        if (alive(owner)) {
          throw new InvalidInputException("output directory " + dir + " is in use by another run (pid " + owner.get("pid")
              + " on " + owner.get("host") + ", started " + owner.get("started") + "); wait for it to finish or choose"
              + " another --out (lock file " + file + ")");
        }
        console.println("note: taking over the stale lock " + file + " of pid " + owner.get("pid") + " on "
            + owner.get("host") + " (that process is gone)");
        try {
          Files.deleteIfExists(file);
        } catch (IOException io) {
          throw new InvalidInputException("cannot remove the stale lock " + file + ": " + io.getMessage(), io);
        }
      } catch (IOException e) {
        throw new InvalidInputException("cannot create the lock file " + file + ": " + e.getMessage(), e);
      }
    }
    throw new InvalidInputException("output directory " + dir + " is contended by other runs; try again");
  }

  /** Removes the lock if it is still ours. */
  @Override
  public void close() {
    try {
      if (content.equals(Files.readString(file, StandardCharsets.UTF_8))) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // already gone (or unreadable): nothing of ours to remove
    }
  }

  static String describe(ProcessHandle p) {
    return "pid=" + p.pid() + "\nhost=" + host() + "\nstarted=" + p.info().startInstant().map(Instant::toString).orElse("")
        + "\n";
  }

  /** The lock's fields, or null when the file vanished; unparsable content reads as an empty map (stale). */
  private static Map<String, String> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the lock file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    return fields;
  }

  static boolean alive(Map<String, String> owner) {
    long pid;
    try {
      pid = Long.parseLong(owner.getOrDefault("pid", ""));
    } catch (NumberFormatException e) {
      return false;
    }
    if (!host().equals(owner.get("host"))) {
      // Another machine's process cannot be checked from here (a shared file system): assume it runs.
      return true;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    String started = owner.getOrDefault("started", "");
    Optional<String> actual = p.get().info().startInstant().map(Instant::toString);
    // A recycled pid: the live process started at another time than the lock's owner.
    return started.isEmpty() || actual.isEmpty() || actual.get().equals(started);
  }

  private static String host() {
    return HOST;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}

package org.ovss.datasets;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Whole-file writes that a reader (or a process killed half-way, SIGKILL or power loss included) never sees
 * half done: the bytes go to a uniquely named temporary file beside the target, are forced to disk, and the
 * temporary file is renamed over the target; the directory is then forced so the rename itself is durable.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code text} as UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes}, creating missing parent folders. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, (OutputStream out) -> out.write(bytes));
  }

  /** What a streamed write puts in the file. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes what {@code body} streams (a file too large to hold as one array), creating missing parent folders. */
  public static void write(Path target, Body body) throws IOException {
    Path file = target.toAbsolutePath();
    Path dir = file.getParent();
    Files.createDirectories(dir);
    // A unique name: two writers of the same target never share (and truncate) one temporary file.
    Path tmp = temporarySibling(file);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20);
        body.writeTo(out);
        out.flush(); // not closed: that would close the channel before the force
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The temporary files {@link #write} names: a dot, the target's name, a UUID, {@code .tmp}. */
  private static final Pattern TEMPORARY =
      Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

  /**
   * The one temporary-name rule of every atomic write in the harness (a file here, a checkpoint directory in the
   * training engine): a unique sibling of {@code target} that {@link #isTemporary} and {@link #removeLeftovers}
   * recognise.
   */
  public static Path temporarySibling(Path target) {
    Path file = target.toAbsolutePath();
    return file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /** Whether {@code path} is named as {@link #temporarySibling} names a temporary file or directory. */
  public static boolean isTemporary(Path path) {
    return TEMPORARY.matcher(path.getFileName().toString()).matches();
  }

  /**
   * Deletes the temporary files a writer killed before its rename left in {@code dir} (not below it). Call it only
   * while no other writer can be writing there (under the run's lock).
   *
   * @return how many were deleted
   */
  public static int removeLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (isTemporary(f) && Files.isRegularFile(f)) {
          Files.deleteIfExists(f);
          removed++;
        }
      }
    }
    return removed;
  }

  /** Makes a rename in {@code dir} durable where the platform allows opening a directory (Linux, macOS). */
  public static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; its renames are as durable as the file system makes them.
    }
  }
}

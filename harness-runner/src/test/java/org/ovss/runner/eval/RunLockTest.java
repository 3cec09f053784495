package org.ovss.runner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;

class RunLockTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream notes = new ByteArrayOutputStream();
  private final PrintStream console = new PrintStream(notes, true, StandardCharsets.UTF_8);

  @Test
  void aSecondRunIntoTheSameDirectoryIsRefusedNamingTheOwnersPid() {
    try (RunLock first = RunLock.acquire(dir, console)) {
      assertThat(dir.resolve(RunLock.FILE)).content().contains("pid=" + ProcessHandle.current().pid());
      assertThatThrownBy(() -> RunLock.acquire(dir, console))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("in use by another run (pid " + ProcessHandle.current().pid())
          .hasMessageContaining(RunLock.FILE);
    }
    assertThat(dir.resolve(RunLock.FILE)).as("released on close").doesNotExist();
    RunLock.acquire(dir, console).close();
  }

  @Test
  void aLockWhoseProcessIsGoneIsTakenOverWithANote() throws Exception {
    Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version").start();
    gone.waitFor();
    Files.writeString(dir.resolve(RunLock.FILE), RunLock.describe(gone.toHandle()).replaceFirst("started=.*", "started=x"));
    try (RunLock lock = RunLock.acquire(dir, console)) {
      assertThat(notes.toString(StandardCharsets.UTF_8)).contains("stale lock").contains("pid " + gone.pid());
      assertThat(dir.resolve(RunLock.FILE)).content().contains("pid=" + ProcessHandle.current().pid());
    }
  }

  @Test
  void aLivePidThatStartedAtAnotherTimeIsARecycledPidAndStale() throws Exception {
    String recycled = RunLock.describe(ProcessHandle.current()).replaceFirst("started=.*", "started=1970-01-01T00:00:00Z");
    Files.writeString(dir.resolve(RunLock.FILE), recycled);
    try (RunLock lock = RunLock.acquire(dir, console)) {
      assertThat(notes.toString(StandardCharsets.UTF_8)).contains("stale lock");
    }
  }

  @Test
  void garbageInTheLockFileIsStale() throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "\u0000\u0001not a lock");
    RunLock.acquire(dir, console).close();
    assertThat(notes.toString(StandardCharsets.UTF_8)).contains("stale lock");
  }
}

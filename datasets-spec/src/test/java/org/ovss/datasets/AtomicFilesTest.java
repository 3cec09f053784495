package org.ovss.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void writesWholeFilesAndLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("sub/results.json");
    AtomicFiles.writeString(target, "{\"a\": 1}");
    AtomicFiles.writeString(target, "{\"a\": 2}");
    assertThat(target).hasContent("{\"a\": 2}");
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void removesOnlyTheTemporaryFilesOfKilledWriters() throws Exception {
    Path left = Files.writeString(dir.resolve(".checkpoint.json.9325ffc9-8f4b-4e7f-b691-fbe737480301.tmp"), "{");
    Path png = Files.writeString(dir.resolve(".2008_000012.png.0b1d2c3e-4f50-6172-8394-a5b6c7d8e9f0.tmp"), "x");
    Path userTmp = Files.writeString(dir.resolve("notes.tmp"), "mine");
    Path hidden = Files.writeString(dir.resolve(".hidden.tmp"), "mine");
    Path results = Files.writeString(dir.resolve("results.json"), "{}");
    Files.createDirectories(dir.resolve("predictions"));
    Path below = Files.writeString(dir.resolve("predictions/.a.png.9325ffc9-8f4b-4e7f-b691-fbe737480301.tmp"), "x");
    assertThat(AtomicFiles.removeLeftovers(dir)).isEqualTo(2);
    assertThat(left).doesNotExist();
    assertThat(png).doesNotExist();
    assertThat(userTmp).exists();
    assertThat(hidden).exists();
    assertThat(results).exists();
    assertThat(below).as("not below the folder").exists();
    assertThat(AtomicFiles.removeLeftovers(dir.resolve("missing"))).isZero();
  }

  /** One naming rule for every atomic write: what temporarySibling names, isTemporary and removeLeftovers recognise. */
  @Test
  void theTemporaryNameIsOneRuleThatTheCleanupRecognises() throws Exception {
    Path target = dir.resolve("step-0000010");
    Path tmp = AtomicFiles.temporarySibling(target);
    assertThat(tmp.getParent()).isEqualTo(target.toAbsolutePath().getParent());
    assertThat(tmp.getFileName().toString()).startsWith(".step-0000010.").endsWith(".tmp");
    assertThat(AtomicFiles.isTemporary(tmp)).isTrue();
    assertThat(AtomicFiles.isTemporary(target)).isFalse();
    assertThat(AtomicFiles.temporarySibling(target)).isNotEqualTo(tmp);
    Files.writeString(tmp, "torn");
    assertThat(AtomicFiles.removeLeftovers(dir)).isEqualTo(1);
    assertThat(tmp).doesNotExist();
  }
}

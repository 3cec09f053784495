package org.ovss.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the product ships cites papers and official code a reader can find, never the team's reference folder: no
 * main source or resource of any module names a path into it or a seed file.
 */
class CitationsTest {
  /** A path into the team's reference folder or a seed paper's number, as the sources used to cite them. */
  private static final Pattern TEAM_FILES = Pattern.compile("(shared|notes|seeds)[/]|seed 0\\d\\d|\\d{3}_[0-9a-f]{16}");

  @Test
  void mainSourcesAndResourcesCiteNoFilesOfTheTeam() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertThat(root.resolve("pom.xml")).as("the repository root above harness-runner").isRegularFile();
    List<String> hits = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> root.relativize(p).toString().replace('\\', '/').matches("(.*/)?src/main/.*"))
          .filter(p -> !root.relativize(p).toString().contains("/target/"))
          .filter(p -> p.toString().matches(".*\\.(java|json|txt|md|properties)$"))
          .toList();
    }
    for (Path f : files) {
      List<String> lines = read(f);
      for (int i = 0; i < lines.size(); i++) {
        if (TEAM_FILES.matcher(lines.get(i)).find()) {
          hits.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(files).as("main sources found").hasSizeGreaterThan(100);
    assertThat(hits).isEmpty();
  }

  private static List<String> read(Path f) {
    try {
      return Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(f.toString(), e);
    }
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.clip.model.ClipPresets;
import org.ovss.testkit.VocLayout;

/**
 * Runs the commands of {@code docs/writing-a-method.md} (the block after its "commands checked" marker) as written:
 * {@code ovss} lines through {@link Main}, {@code cd DIR && mvn ...} lines as a Maven build of the generated project
 * against the local repository {@code ovss.kit.repo}, where the harness must be installed. Maven profile
 * {@code kit-e2e} (the user's local repository) or {@code -Dovss.kit.repo=DIR}; skipped otherwise.
 */
@EnabledIfSystemProperty(named = "ovss.kit.repo", matches = ".+")
class WritingAMethodDocTest {
  static final Path DOC = Path.of("..", "docs", "writing-a-method.md");
  private static final String MARKER = "<!-- commands checked by WritingAMethodDocTest -->";

  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @AfterEach
  void hostOnly() {
    PluginRegistry.configure(List.of());
  }

  /** The lines of the fenced block after the marker. */
  static List<String> commands() throws IOException {
    List<String> lines = Files.readAllLines(DOC);
    int at = lines.indexOf(MARKER);
    assertThat(at).as("marker in " + DOC).isNotNegative();
    assertThat(lines.get(at + 1)).startsWith("```");
    List<String> commands = new ArrayList<>();
    for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
      commands.add(lines.get(i));
    }
    return commands;
  }

  @Test
  void theDocumentsCommandsTurnANewProjectIntoABoardRow() throws Exception {
    Path x = dir.resolve("acme");
    Path o = dir.resolve("out");
    Map<String, String> vars = Map.of(
        "$X", x.toString(),
        "$W", ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors")).toString(),
        "$D", VocLayout.write(dir.resolve("VOC2012"), List.of("2007_000001", "2007_000002"), 40, 52).toString(),
        "$O", o.toString());
    List<String> commands = commands();
    assertThat(commands).first().asString().startsWith("ovss new-method ");
    for (String command : commands) {
      String line = command;
      for (Map.Entry<String, String> v : vars.entrySet()) {
        line = line.replace(v.getKey(), v.getValue());
      }
      if (line.startsWith("cd ")) {
        String[] parts = line.substring(3).split(" && ", 2);
        maven(Path.of(parts[0]), parts[1]);
      } else {
        assertThat(line).startsWith("ovss ");
        console.reset();
        int code = Main.execute(line.substring(5).split(" +"));
        assertThat(code).as(line + "\n" + console.err()).isZero();
        check(line, x);
      }
    }
    JsonNode own = new ObjectMapper().readTree(o.resolve("own/voc20/results.json").toFile());
    assertThat(own.get("method").asText()).isEqualTo("acme-seg");
    assertThat(own.get("protocol").get("name").asText()).isEqualTo("acme-seg");
    assertThat(own.get("metrics").get("mIoU").asDouble(Double.NaN)).isBetween(0.0, 100.0);
  }

  private void check(String line, Path x) {
    Path jar = x.resolve("target/acme-seg-0.1.0.jar");
    if (line.startsWith("ovss methods")) {
      assertThat(console.out()).containsPattern("(?m)^acme-seg +AcmeSeg +ENCODE,SEGMENT +acme-seg +.* 0\\.1\\.0 +"
          + Pattern.quote(jar.toString()) + "$");
    } else if (line.startsWith("ovss board")) {
      // a row of the new method (its display name) with its weights and a measured VOC20 cell
      assertThat(console.out()).containsPattern("(?m)^\\| AcmeSeg \\| [0-9a-f]{8} \\|( — \\|){3} \\d+\\.\\d\\d \\|");
    }
  }

  private static void maven(Path project, String command) throws IOException, InterruptedException {
    assertThat(command).startsWith("mvn ");
    List<String> args = new ArrayList<>(List.of(command.split(" +")));
    args.add("-B");
    args.add("-Dmaven.repo.local=" + System.getProperty("ovss.kit.repo"));
    Path log = Files.createTempFile("kit-mvn", ".log");
    Process p = new ProcessBuilder(args).directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    String output = Files.readString(log);
    Files.delete(log);
    assertThat(code).as(String.join(" ", args) + " in " + project + ":\n" + output).isZero();
  }
}

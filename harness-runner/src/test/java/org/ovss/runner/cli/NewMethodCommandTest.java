package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.clip.method.ClipDenseMethod;
import org.ovss.clip.model.ClipPresets;
import org.ovss.testkit.PluginJars;
import org.ovss.testkit.VocLayout;

/**
 * {@code ovss new-method}: the project it writes, compiled here as Maven would (its main sources and resources into
 * one jar), is a plugin that {@code ovss methods} lists and {@code ovss eval} runs. The Maven build of the project
 * itself runs in the kit-e2e profile ({@code WritingAMethodDocTest}).
 */
class NewMethodCommandTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @AfterEach
  void hostOnly() {
    PluginRegistry.configure(List.of());
  }

  @Test
  void theProjectBuildsIntoAPluginThatListsAndEvaluates() throws Exception {
    Path project = dir.resolve("acme");
    assertThat(Main.execute("new-method", "acme-seg", "--out", project.toString())).as(console.err()).isZero();
    assertThat(console.out()).contains("wrote method 'acme-seg' (7 files) to " + project);
    Path main = project.resolve("src/main");
    assertThat(project.resolve("src/test/java/org/example/ovss/acmeseg/AcmeSegConformanceTest.java")).exists();
    assertThat(project.resolve("src/test/java/org/example/ovss/acmeseg/AcmeSegEvaluationTest.java")).exists();
    assertThat(Files.readString(main.resolve("resources/META-INF/services/org.ovss.api.MethodProvider")))
        .isEqualTo("org.example.ovss.acmeseg.AcmeSegProvider\n");
    String pom = Files.readString(project.resolve("pom.xml"));
    assertThat(pom).contains("<artifactId>acme-seg</artifactId>")
        .contains("<ovss.version>" + NewMethodCommand.harnessVersion() + "</ovss.version>")
        .contains("<artifactId>ovss-bom</artifactId>");
    assertThat(NewMethodCommand.harnessVersion()).matches("\\d+\\.\\d+\\.\\d+.*");

    Path jar = PluginJars.builder().compileAgainst(location(ClipDenseMethod.class)).version("0.1.0")
        .project(main.resolve("java"), main.resolve("resources")).write(project.resolve("target/acme-seg-0.1.0.jar"));
    console.reset();
    assertThat(Main.execute("methods", "--plugins", project.resolve("target").toString())).as(console.err()).isZero();
    assertThat(console.out()).containsPattern("(?m)^acme-seg +AcmeSeg +ENCODE,SEGMENT +acme-seg +.* 0\\.1\\.0 +"
        + Pattern.quote(jar.toString()) + "$");
    assertThat(console.err()).as("no plugin problem reported").doesNotContain("ovss: ");

    Path weights = ClipPresets.writeRandom("tiny", 5L, dir.resolve("clip.safetensors"));
    Path data = VocLayout.write(dir.resolve("VOC2012"), List.of("a", "b"), 40, 52);
    Path out = dir.resolve("run");
    int code = Main.execute("eval", "--plugins", project.resolve("target").toString(), "--method", "acme-seg",
        "--weights", weights.toString(), "--dataset", "voc20", "--data-root", data.toString(), "--out", out.toString(),
        "--short-side", "48", "--crop", "32", "--stride", "16", "-o", "last-block=identity");
    assertThat(code).as(console.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(r.get("method").asText()).isEqualTo("acme-seg");
    assertThat(r.get("protocol").get("name").asText()).isEqualTo("acme-seg");
    assertThat(r.get("metrics").get("mIoU").asDouble(Double.NaN)).isBetween(0.0, 100.0);
  }

  @Test
  void badIdsAndNonEmptyFoldersAreRefusedInOneLine() throws Exception {
    assertThat(Main.execute("new-method", "Acme_Seg", "--out", dir.resolve("x").toString())).isEqualTo(2);
    assertThat(console.err()).isEqualTo("error: method id 'Acme_Seg' must be lower case letters, digits and '-', starting"
        + " with a letter" + System.lineSeparator());
    Files.writeString(Files.createDirectories(dir.resolve("taken")).resolve("file.txt"), "x");
    console.reset();
    assertThat(Main.execute("new-method", "acme", "--out", dir.resolve("taken").toString())).isEqualTo(2);
    assertThat(console.err()).contains(dir.resolve("taken") + " is not empty");
  }

  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}

package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.MethodProvider;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.runner.protocol.Protocols;
import org.ovss.testkit.PluginJars;

/** {@code --plugins} on the command line: drop-in methods listed with their jar, broken jars named, built-ins kept. */
class PluginsCliTest {
  /** Each built-in method and its default protocol, as {@code ovss methods} listed them before plugins could drop in. */
  private static final Map<String, String> BUILT_IN = Map.of("clip", "sclip", "clippy", "clippy", "groupvit", "groupvit",
      "maskclip", "sclip", "pacl", "pacl", "sclip", "sclip", "segclip", "segclip", "simseg", "simseg");

  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  @AfterEach
  void hostOnly() {
    PluginRegistry.configure(List.of());
  }

  private Path good() throws IOException {
    String cls = "com.acme.seg.AcmeProvider";
    return PluginJars.builder().version("0.3.0")
        .source(cls, PluginJars.methodProvider(cls, "acme-seg", "acme", "\"Acme. Segments. 2026\""))
        .service(MethodProvider.class.getName(), cls)
        .resource("META-INF/ovss/protocols/acme.json", "{\"extends\": \"sclip\", \"crop\": 224}\n")
        .write(dir.resolve("plugins/acme-seg-0.3.0.jar"));
  }

  @Test
  void methodsListsTheBuiltInsAsBeforeWithTheirOrigin() {
    assertThat(Main.execute("methods")).isZero();
    String out = console.out();
    BUILT_IN.forEach((id, protocol) ->
        assertThat(out).containsPattern("(?m)^" + id + " +.* " + protocol + " +.*  +\\S+ +built in$"));
    assertThat(out.lines().skip(1).takeWhile(line -> !line.isBlank()).count()).as("rows of the table")
        .isEqualTo(BUILT_IN.size());
    assertThat(console.err()).as("no plugin problem reported").doesNotContain("ovss: ");
  }

  @Test
  void aBrokenJarIsNamedOnStderrAndTheGoodPluginAndEveryBuiltInAreListed() throws IOException {
    Path good = good();
    Path broken = PluginJars.builder().service(MethodProvider.class.getName(), "com.acme.Gone")
        .write(dir.resolve("plugins/broken.jar"));

    assertThat(Main.execute("methods", "--plugins", dir.resolve("plugins").toString())).isZero();

    assertThat(console.err()).isEqualTo("ovss: plugin " + broken + ": META-INF/services/" + MethodProvider.class.getName()
        + " line 1: class com.acme.Gone not found" + System.lineSeparator());
    String out = console.out();
    assertThat(out).containsPattern("(?m)^acme-seg +acme-seg \\(test plugin\\) +SEGMENT +acme +Acme\\. Segments\\. 2026 +0\\.3\\.0 +"
        + Pattern.quote(good.toString()) + "$");
    BUILT_IN.forEach((id, protocol) -> assertThat(out).containsPattern("(?m)^" + id + " +.* " + protocol + " +.*built in$"));
  }

  @Test
  void pluginsIsAnOptionOfEveryCommandAndOfOvssItself() throws IOException {
    Path good = good();
    assertThat(Main.execute("--plugins", good.toString(), "methods")).isZero();
    assertThat(console.out()).contains("acme-seg");
    // the plugin's protocol is found by name, as a built-in one is
    assertThat(Protocols.resolve("acme", "voc21", Map.of()).protocol().crop()).isEqualTo(224);
    for (String command : new String[] {"methods", "encode", "eval", "prepare", "synth", "train", "demo", "board", "compare",
        "bench"}) {
      console.reset();
      assertThat(Main.execute(command, "--help")).isZero();
      assertThat(console.out()).as(command).contains("--plugins=PATH");
    }
  }
}

package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.api.PromptSet;
import org.ovss.api.plugins.PluginRegistry;

/** Drop-in plugins: private libraries, failures reported per jar, data files and their clashes. */
class PluginRegistryTest {
  private static final String SERVICE = MethodProvider.class.getName();

  @TempDir Path dir;

  private static Path library(Path jar, String version) throws IOException {
    return PluginJars.builder()
        .source("com.acme.text.Banner", "package com.acme.text;\npublic final class Banner {\n"
            + "  public static String version() { return \"" + version + "\"; }\n}\n")
        .write(jar);
  }

  private static Path method(Path jar, String id, String paper, Path... libraries) throws IOException {
    String cls = "com.acme." + id.replace("-", "") + ".Provider";
    return PluginJars.builder().compileAgainst(libraries).version("3.1." + id.length())
        .source(cls, PluginJars.methodProvider(cls, id, "synth", paper))
        .service(SERVICE, cls)
        .write(jar);
  }

  private PluginRegistry registry(Path... paths) {
    return PluginRegistry.build(getClass().getClassLoader(), List.of(paths));
  }

  private static Map<String, String> papers(PluginRegistry registry) {
    return registry.all(MethodProvider.class).stream().collect(Collectors.toMap(MethodProvider::id, p -> p.info().paper()));
  }

  @Test
  void twoPluginsBundlingTwoVersionsOfOneLibraryEachSeeTheirOwn() throws IOException {
    Path v1 = library(dir.resolve("alpha/banner-1.0.jar"), "1.0");
    Path v2 = library(dir.resolve("beta/lib/banner-2.0.jar"), "2.0");
    Path alpha = method(dir.resolve("alpha/alpha.jar"), "alpha", "\"banner \" + com.acme.text.Banner.version()", v1);
    Path beta = method(dir.resolve("beta/beta.jar"), "beta", "\"banner \" + com.acme.text.Banner.version()", v2);

    PluginRegistry registry = registry(dir);

    assertThat(registry.problems()).isEmpty();
    assertThat(papers(registry)).containsExactlyInAnyOrderEntriesOf(Map.of("alpha", "banner 1.0", "beta", "banner 2.0"));
    assertThat(registry.services(MethodProvider.class)).extracting(s -> s.origin().jar()).containsExactly(alpha, beta);
    assertThat(registry.services(MethodProvider.class)).extracting(s -> s.origin().version()).containsExactly("3.1.5", "3.1.4");
    // the SPI type is the host's: the plugin's provider is a MethodProvider of this class loader
    MethodProvider a = registry.all(MethodProvider.class).get(0);
    assertThat(a.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    assertThat(MethodProvider.class.isInstance(a)).isTrue();
  }

  @Test
  void aBrokenServicesLineIsReportedNamingTheJarAndTheGoodPluginStillLoads() throws IOException {
    Path good = method(dir.resolve("good.jar"), "good-seg", "\"Good. Paper. 2024\"");
    Path broken = PluginJars.builder().service(SERVICE, "# a comment", "com.acme.Missing").write(dir.resolve("broken.jar"));

    PluginRegistry registry = registry(dir);

    assertThat(registry.problems()).containsExactly("plugin " + broken + ": META-INF/services/" + SERVICE
        + " line 2: class com.acme.Missing not found");
    assertThat(papers(registry)).containsOnlyKeys("good-seg");
    assertThat(registry.plugins()).extracting(PluginRegistry.Origin::jar).containsExactly(good);
  }

  @Test
  void otherFailuresAreOneLineEachAndLeaveThePluginOut() throws IOException {
    Path notAJar = Files.writeString(dir.resolve("a-notes.jar"), "not a zip");
    Path badLine = PluginJars.builder().service(SERVICE, "com.acme.Bad Name").write(dir.resolve("b-bad-line.jar"));
    Path wrongType = PluginJars.builder().source("com.acme.Other", "package com.acme;\npublic class Other {}\n")
        .service(SERVICE, "com.acme.Other").write(dir.resolve("c-wrong-type.jar"));
    // a provider whose library was not shipped: its class loads, but making one needs the missing library
    Path v1 = library(dir.resolve("elsewhere/banner.jar"), "1.0");
    Path missingLibrary = method(dir.resolve("d-missing-lib.jar"), "lonely", "com.acme.text.Banner.version()", v1);
    Files.delete(v1);
    Path unknownKind = PluginJars.builder().resource("META-INF/ovss/recipes/cake.json", "{}").write(dir.resolve("e-kind.jar"));

    PluginRegistry registry = registry(notAJar, badLine, wrongType, missingLibrary, unknownKind, dir.resolve("gone"));

    List<String> problems = registry.problems();
    assertThat(problems).hasSize(6);
    assertThat(problems.get(0)).startsWith("plugin " + notAJar + ": not a readable jar (");
    assertThat(problems.get(1)).isEqualTo("plugin " + badLine + ": META-INF/services/" + SERVICE
        + " line 1: 'com.acme.Bad Name' is not a class name");
    assertThat(problems.get(2)).isEqualTo("plugin " + wrongType + ": META-INF/services/" + SERVICE
        + " line 1: class com.acme.Other is not a " + SERVICE);
    assertThat(problems.get(3)).startsWith("plugin " + missingLibrary + ": class com.acme.lonely.Provider failed: ")
        .contains("NoClassDefFoundError: com/acme/text/Banner");
    assertThat(problems.get(4)).startsWith("plugin " + unknownKind + ": META-INF/ovss/recipes/cake.json is not a data file");
    assertThat(problems.get(5)).isEqualTo("plugin path " + dir.resolve("gone") + ": no such file or folder");
    assertThat(problems).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    assertThat(registry.plugins()).isEmpty();
    assertThat(registry.all(MethodProvider.class)).isEmpty();
  }

  @Test
  void aMethodIdTakenByAnEarlierPluginIsRefusedNamingIt() throws IOException {
    Path first = method(dir.resolve("one/first.jar"), "twin", "\"first\"");
    Path second = method(dir.resolve("two/second.jar"), "twin", "\"second\"");

    PluginRegistry registry = registry(first, second);

    assertThat(registry.problems()).containsExactly("plugin " + second + ": method id 'twin' is already provided by "
        + first + "; plugin left out");
    assertThat(papers(registry)).containsExactlyEntriesOf(Map.of("twin", "first"));
  }

  @Test
  void pluginsBringProtocolsAndPromptSetsAndTwoSourcesOfOneNameAreRefused() throws IOException {
    Path data = PluginJars.builder()
        .resource("META-INF/ovss/protocols/acme.json", "{\"extends\": \"sclip\"}\n")
        .resource("META-INF/ovss/prompts/acme-2.txt", "a photo of a {}.\n# comment\nthe {} itself.\n")
        .write(dir.resolve("data.jar"));
    PluginRegistry registry = registry(data);
    assertThat(registry.problems()).isEmpty();
    assertThat(registry.names("protocols")).contains("acme");
    assertThat(registry.data("protocols", "acme")).get().extracting(PluginRegistry.Data::read)
        .isEqualTo("{\"extends\": \"sclip\"}\n");
    assertThat(registry.data("protocols", "nothing")).isEmpty();

    Path again = PluginJars.builder().resource("META-INF/ovss/protocols/acme.json", "{}").write(dir.resolve("again.jar"));
    PluginRegistry both = registry(data, again);
    String twice = "protocol 'acme' is defined twice, refused: " + data + "!/META-INF/ovss/protocols/acme.json and "
        + again + "!/META-INF/ovss/protocols/acme.json";
    assertThat(both.problems()).containsExactly(twice);
    assertThatThrownBy(() -> both.data("protocols", "acme")).isInstanceOf(InvalidInputException.class).hasMessage(twice);

    try {
      PluginRegistry.configure(List.of(data));
      assertThat(PromptSet.named("acme-2").templates()).containsExactly("a photo of a {}.", "the {} itself.");
      assertThat(PromptSet.names()).contains("acme-2", "a-photo-of", "openai-imagenet-80", "synth");
    } finally {
      PluginRegistry.configure(List.of());
    }
    assertThat(PromptSet.names()).doesNotContain("acme-2");
  }
}

package org.ovss.runner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;
import org.ovss.datasets.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss new-method ID --out DIR}: a standalone Maven project of a method plugin, ready to build and run. */
@Command(name = "new-method", mixinStandardHelpOptions = true,
    description = {"Write a standalone Maven project of a new method plugin: a training-free method on clip-core, its",
      "protocol, its services file, a README and tests on the test kit. `mvn -o -q package` in DIR (with the",
      "harness installed in the local Maven repository) builds a jar that `ovss --plugins DIR/target` runs."})
final class NewMethodCommand implements Runnable {
  private static final String KIT = "/org/ovss/runner/kit/";

  @Parameters(index = "0", paramLabel = "ID", description = "method id: lower case letters, digits and '-', e.g. acme-seg")
  String id;

  @Option(names = "--out", required = true, description = "the project folder to create (must not exist or be empty)")
  Path out;

  @Option(names = "--group-id", defaultValue = "org.example.ovss", description = "Maven groupId (default ${DEFAULT-VALUE})")
  String groupId;

  @Option(names = "--package", description = "Java package (default: GROUP-ID.ID without dashes)")
  String javaPackage;

  @Override
  public void run() {
    if (!id.matches("[a-z][a-z0-9-]*")) {
      throw new InvalidInputException("method id '" + id + "' must be lower case letters, digits and '-', starting with a letter");
    }
    String pkg = javaPackage != null ? javaPackage : groupId + "." + id.replace("-", "");
    if (!pkg.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*")) {
      throw new InvalidInputException("'" + pkg + "' is not a Java package name (pass --package)");
    }
    refuseNonEmpty(out);
    String className = className(id);
    Map<String, String> values = Map.of("@ID@", id, "@CLASS@", className, "@PACKAGE@", pkg, "@GROUP@", groupId,
        "@OVSS_VERSION@", harnessVersion());
    String javaDir = pkg.replace('.', '/');
    Map<String, String> files = new LinkedHashMap<>();
    files.put("pom.xml.tmpl", "pom.xml");
    files.put("README.md.tmpl", "README.md");
    files.put("Provider.java.tmpl", "src/main/java/" + javaDir + "/" + className + "Provider.java");
    files.put("services.tmpl", "src/main/resources/META-INF/services/org.ovss.api.MethodProvider");
    files.put("protocol.json.tmpl", "src/main/resources/META-INF/ovss/protocols/" + id + ".json");
    files.put("ConformanceTest.java.tmpl", "src/test/java/" + javaDir + "/" + className + "ConformanceTest.java");
    files.put("EvaluationTest.java.tmpl", "src/test/java/" + javaDir + "/" + className + "EvaluationTest.java");
    List<Path> written = new ArrayList<>();
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        String text = template(f.getKey());
        for (Map.Entry<String, String> v : values.entrySet()) {
          text = text.replace(v.getKey(), v.getValue());
        }
        Path target = out.resolve(f.getValue());
        Files.createDirectories(target.getParent());
        AtomicFiles.writeString(target, text);
        written.add(target);
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot write the project into " + out + ": " + e.getMessage(), e);
    }
    System.out.printf("wrote method '%s' (%d files) to %s%n", id, written.size(), out);
    System.out.printf("next: cd %s && mvn -o -q package && ovss methods --plugins %s%n", out, out.resolve("target"));
  }

  /** {@code acme-seg} -> {@code AcmeSeg}. */
  static String className(String id) {
    StringBuilder sb = new StringBuilder();
    for (String part : id.split("-")) {
      if (!part.isEmpty()) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return Character.isDigit(sb.charAt(0)) ? "M" + sb : sb.toString();
  }

  private static void refuseNonEmpty(Path dir) {
    if (Files.isRegularFile(dir)) {
      throw new InvalidInputException(dir + " is a file; --out needs a new or empty folder");
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new InvalidInputException(dir + " is not empty; --out needs a new or empty folder");
        }
      } catch (IOException e) {
        throw new InvalidInputException("cannot read " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private static String template(String name) throws IOException {
    try (InputStream in = NewMethodCommand.class.getResourceAsStream(KIT + name)) {
      if (in == null) {
        throw new IllegalStateException("the kit template " + name + " is missing from the harness jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The harness version the project builds against (written into the jar at build time). */
  static String harnessVersion() {
    Properties p = new Properties();
    try (InputStream in = NewMethodCommand.class.getResourceAsStream(KIT + "harness.properties")) {
      p.load(in);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the kit's harness.properties is missing from the harness jar", e);
    }
    return p.getProperty("version");
  }
}

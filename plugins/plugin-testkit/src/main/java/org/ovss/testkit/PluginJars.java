package org.ovss.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.ovss.api.MethodProvider;

/**
 * Builds small jars for tests of plugin loading: Java sources compiled against the harness API (and DJL's API), plus
 * services files and data resources, written as one jar. Nothing is cached; each call compiles.
 */
public final class PluginJars {
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, byte[]> resources = new LinkedHashMap<>();
  private final List<Path> classPath = new ArrayList<>();
  private String version;

  private PluginJars() {}

  public static PluginJars builder() {
    return new PluginJars();
  }

  /** A class to compile, by its fully qualified name. */
  public PluginJars source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /** Every {@code .java} file under {@code javaRoot} (a source folder) and every file under {@code resourceRoot}. */
  public PluginJars project(Path javaRoot, Path resourceRoot) throws IOException {
    try (Stream<Path> files = Files.walk(javaRoot)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String name = javaRoot.relativize(f).toString().replace(File.separatorChar, '.');
        source(name.substring(0, name.length() - ".java".length()), Files.readString(f));
      }
    }
    try (Stream<Path> files = Files.walk(resourceRoot)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        resources.put(resourceRoot.relativize(f).toString().replace(File.separatorChar, '/'), Files.readAllBytes(f));
      }
    }
    return this;
  }

  /** A {@code META-INF/services/TYPE} file holding these lines, as written. */
  public PluginJars service(String type, String... lines) {
    return resource("META-INF/services/" + type, String.join("\n", lines) + "\n");
  }

  /** Any file in the jar. */
  public PluginJars resource(String path, String text) {
    resources.put(path, text.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Jars the sources compile against besides the harness API (a library the plugin bundles). */
  public PluginJars compileAgainst(Path... jars) {
    classPath.addAll(List.of(jars));
    return this;
  }

  /** {@code Implementation-Version} in the manifest. */
  public PluginJars version(String v) {
    this.version = v;
    return this;
  }

  /** Compiles and writes the jar; a compile error fails with javac's messages. */
  public Path write(Path jar) throws IOException {
    Path work = Files.createTempDirectory("plugin-jar");
    try {
      Path src = work.resolve("src");
      Path classes = Files.createDirectories(work.resolve("classes"));
      List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-proc:none", "-classpath",
          String.join(File.pathSeparator, compileClassPath())));
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        args.add(file.toString());
      }
      if (!sources.isEmpty()) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int rc = javac.run(null, messages, messages, args.toArray(String[]::new));
        if (rc != 0) {
          throw new IllegalStateException("javac failed (" + rc + ") for " + sources.keySet() + ":\n"
              + messages.toString(StandardCharsets.UTF_8));
        }
      }
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      if (version != null) {
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
      }
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
           Stream<Path> walk = Files.walk(classes)) {
        for (Path c : walk.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace(File.separatorChar, '/')));
          out.write(Files.readAllBytes(c));
          out.closeEntry();
        }
        for (Map.Entry<String, byte[]> e : resources.entrySet()) {
          out.putNextEntry(new JarEntry(e.getKey()));
          out.write(e.getValue());
          out.closeEntry();
        }
      }
      return jar;
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Source of a minimal {@link MethodProvider}: method {@code id} (SEGMENT, default protocol {@code protocol}) whose
   * paper line is {@code paperExpression} (a Java expression, so it can call a bundled library); {@code open} refuses.
   */
  public static String methodProvider(String className, String id, String protocol, String paperExpression) {
    int dot = className.lastIndexOf('.');
    return "package " + className.substring(0, dot) + ";\n"
        + "import java.util.Map;\nimport java.util.Set;\nimport org.ovss.api.*;\n"
        + "public final class " + className.substring(dot + 1) + " implements MethodProvider {\n"
        + "  public MethodInfo info() {\n"
        + "    return new MethodInfo(\"" + id + "\", \"" + id + " (test plugin)\", " + paperExpression + ",\n"
        + "        Set.of(Capability.SEGMENT), \"" + protocol + "\", Map.of());\n"
        + "  }\n"
        + "  public SegmentationMethod open(MethodConfig config) {\n"
        + "    throw new UnsupportedCapabilityException(\"" + id + "\", Capability.SEGMENT);\n"
        + "  }\n"
        + "}\n";
  }

  private List<String> compileClassPath() {
    List<String> cp = new ArrayList<>();
    cp.add(location(MethodProvider.class));
    cp.add(location(ai.djl.ndarray.NDArray.class));
    classPath.forEach(p -> cp.add(p.toString()));
    return cp;
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No plugin calls DJL's scalar overloads of {@code NDArray} ({@code mul(Number)}, {@code div(Number)}, {@code
 * add(Number)}, {@code maximum(Number)}, ...). In DJL 0.35.1 they wrap the number in an array over a Java direct
 * buffer and close it as soon as the op returns, while PyTorch's backward reads that operand later: after a garbage
 * collection between forward and backward the gradient is scaled by freed memory. Plugins use clip-core's {@code
 * org.ovss.nn.Scalars} instead, whose constants live in the step's manager.
 *
 * <p>The check type-checks every plugin's main sources with the JDK compiler, so it finds the calls whatever the
 * argument looks like ({@code x.mul(k)} with an {@code int k} included), and ignores same-named methods of other
 * types. The in-place forms ({@code muli(Number)}, ...) are not checked: autograd refuses in-place operations on
 * what it tracks, and optimisers update outside the gradient collector.
 */
class ScalarOverloadScanTest {
  /** The overloads with a {@code Number} operand that autograd can record. */
  static final Set<String> OVERLOADS =
      Set.of("add", "sub", "mul", "div", "pow", "maximum", "minimum", "rsub", "rdiv", "rpow", "mod", "rmod");

  /**
   * Files allowed to use the overloads, with the reason: code that never runs under a gradient collector. Paths are
   * relative to {@code plugins/}.
   */
  static final Map<String, String> ALLOWED = Map.of(
      "plugin-testkit/src/main/java/org/ovss/testkit/AdamTestEngine.java",
      "the test engine's optimiser update, which runs after the gradient collector has closed");

  private static Path plugins;
  private static List<String> found;

  @BeforeAll
  static void scan() throws IOException {
    plugins = Path.of("").toAbsolutePath().getParent();
    assertThat(plugins.resolve("clip-core/src/main/java")).as("plugins directory (tests run in the module)").isDirectory();
    found = scan(plugins);
  }

  @Test
  void noPluginUsesAScalarOverloadOfNdArray() {
    List<String> offending = found.stream()
        .filter(site -> !ALLOWED.containsKey(site.substring(0, site.indexOf(':'))))
        .toList();
    assertThat(offending)
        .as("NDArray scalar overloads in plugin main sources (use org.ovss.nn.Scalars; see this test's Javadoc)")
        .isEmpty();
  }

  @Test
  void theScanFindsTheOverloadsAndOnlyThem(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path src = dir.resolve("demo/src/main/java/demo");
    Files.createDirectories(src);
    Files.writeString(src.resolve("Demo.java"), String.join("\n",
        "package demo;",
        "import ai.djl.ndarray.NDArray;",
        "class Demo {",
        "  NDArray f(NDArray x, int k, float tau, java.util.List<Float> list) {",
        "    list.add(1f);", // a List, not an NDArray
        "    x.muli(2f);", // in place: not checked
        "    NDArray y = x.mul(1.702f);",
        "    y = y.div(tau);",
        "    y = y.add(x).maximum(k);",
        "    return y.mul(x);", // NDArray operand: fine
        "  }",
        "}"));
    assertThat(scan(dir)).containsExactly(
        "demo/src/main/java/demo/Demo.java:7 mul(Number)",
        "demo/src/main/java/demo/Demo.java:8 div(Number)",
        "demo/src/main/java/demo/Demo.java:9 maximum(Number)");
  }

  @Test
  void theAllowListNamesExistingFilesThatStillNeedIt() {
    for (String file : ALLOWED.keySet()) {
      assertThat(plugins.resolve(file)).isRegularFile();
      assertThat(found).as("allow-listed " + file + " no longer uses an overload: remove it from the list")
          .anyMatch(site -> site.startsWith(file + ":"));
    }
  }

  /** "path:line method(Number)" for every call of an overload in {@code root/<module>/src/main/java}. */
  static List<String> scan(Path root) throws IOException {
    List<Path> sources;
    try (Stream<Path> modules = Files.list(root)) {
      sources = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory)
          .flatMap(ScalarOverloadScanTest::javaFiles).sorted().toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> sites = new ArrayList<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      // Libraries a plugin uses beyond the test's class path stay unresolved: that only hides calls on their types.
      // should-stop.ifError=FLOW keeps attributing every class after such errors.
      JavacTask task = (JavacTask) javac.getTask(Writer.nullWriter(), files, diagnostic -> { },
          List.of("-proc:none", "-XDshould-stop.ifError=FLOW", "-classpath", System.getProperty("java.class.path")),
          null, files.getJavaFileObjectsFromPaths(sources));
      Iterable<? extends CompilationUnitTree> units = task.parse();
      task.analyze();
      Trees trees = Trees.instance(task);
      for (CompilationUnitTree unit : units) {
        String file = root.relativize(Path.of(unit.getSourceFile().toUri())).toString().replace('\\', '/');
        new TreePathScanner<Void, Void>() {
          @Override
          public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
            Element e = trees.getElement(getCurrentPath());
            if (e instanceof ExecutableElement m && isScalarOverload(m)) {
              long line = unit.getLineMap().getLineNumber(trees.getSourcePositions().getStartPosition(unit, call));
              sites.add(file + ":" + line + " " + m.getSimpleName() + "(Number)");
            }
            return super.visitMethodInvocation(call, unused);
          }
        }.scan(unit, null);
      }
    }
    return sites.stream().distinct().collect(Collectors.toList());
  }

  private static boolean isScalarOverload(ExecutableElement m) {
    if (!OVERLOADS.contains(m.getSimpleName().toString()) || m.getParameters().size() != 1) {
      return false;
    }
    Element owner = m.getEnclosingElement();
    return owner.getKind() == ElementKind.INTERFACE
        && ((TypeElement) owner).getQualifiedName().contentEquals("ai.djl.ndarray.NDArray")
        && m.getParameters().get(0).asType().toString().equals("java.lang.Number");
  }

  private static Stream<Path> javaFiles(Path dir) {
    try {
      return Files.walk(dir).filter(p -> p.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

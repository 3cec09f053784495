package org.ovss.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.model.ClipPresets;

/**
 * A standalone Spark master and one worker started as separate JVMs on 127.0.0.1 from the Spark jars, the
 * application jar of this build submitted with spark-submit in client mode: the cell's metrics equal
 * {@code ovss eval}'s. Runs in the integration-test phase (after package builds the jar); every process it starts is
 * killed at the end, with the executors the worker started.
 */
class SparkClusterTest {
  @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

  @TempDir Path dir;

  private final List<Process> started = new ArrayList<>();

  @Test
  void theApplicationJarOnAStandaloneClusterGivesTheMetricsOfOvssEval() throws Exception {
    assumeTrue(Boolean.getBoolean("ovss.spark.cluster"), "runs in the integration-test phase (mvn verify)");
    Path build = Path.of(System.getProperty("ovss.spark.build"));
    Path appJar = build.resolve("ovss-spark-app.jar");
    assertThat(appJar).as("the application jar built by package").exists();
    Path sparkHome = sparkHome(build);
    Path weights = ClipPresets.writeRandom("tiny", 11L, dir.resolve("clip.safetensors"));
    Path root = EvalCommandTest.vocLayout(dir.resolve("VOC2012"), List.of("p", "q", "r", "s", "t"), 40, 52);
    Path plan = dir.resolve("plan.json");
    Files.writeString(plan, "{\"methods\": [{\"method\": \"sclip\", \"weights\": \"clip.safetensors\", \"label\":"
        + " \"tiny\"}], \"datasets\": [{\"dataset\": \"voc21\", \"dataRoot\": \"VOC2012\"}], \"protocol\": \"sclip\", "
        + RunCommandTest.OVERRIDES + ", \"out\": \"runs\", \"shardImages\": 2, \"savePredictions\": true}");
    try {
      int masterPort = freePort();
      Path logs = Files.createDirectories(dir.resolve("logs"));
      start(sparkHome, logs.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()));
      awaitPort(masterPort, logs.resolve("master.log"));
      String master = "spark://127.0.0.1:" + masterPort;
      start(sparkHome, logs.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()), "--cores", "2",
          "--memory", "2g", "--work-dir", dir.resolve("work").toString(), master);
      String nativeJar = classPathEntry("pytorch-native-cpu");
      Process submit = start(sparkHome, logs.resolve("submit.log"), "org.apache.spark.deploy.SparkSubmit",
          "--master", master, "--deploy-mode", "client", "--class", "org.ovss.spark.SparkMain",
          "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
          "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
          "--conf", "spark.executor.extraClassPath=" + nativeJar,
          "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1",
          "--driver-java-options", "-Dai.djl.offline=true",
          appJar.toString(), "run", plan.toString());
      boolean finished = submit.waitFor(300, TimeUnit.SECONDS);
      String log = Files.readString(logs.resolve("submit.log"));
      assertThat(finished).as("spark-submit finished within 300 s; its log:%n%s", log).isTrue();
      assertThat(submit.exitValue()).as(log).isZero();
      assertThat(log).contains("spark: starting " + master);
    } finally {
      stopAll();
    }
    JsonNode expected = RunCommandTest.eval(dir, "sclip", "clip.safetensors", "voc21");
    JsonNode got = RunCommandTest.cell(dir.resolve("runs"), "tiny", "voc21");
    assertThat(got.get("metrics")).isEqualTo(expected.get("metrics"));
    assertThat(got.get("classes")).isEqualTo(expected.get("classes"));
    assertThat(got.get("images").asInt()).isEqualTo(5);
    // the executors (separate JVMs) ran the engine `ovss eval` chose: ONNX Runtime from the application jar
    assertThat(got.at("/provenance/execution")).isEqualTo(expected.at("/provenance/execution"));
    assertThat(dir.resolve("runs/cells/tiny/voc21@sclip/predictions/t.png")).exists();
  }

  /**
   * A Spark installation as the worker expects one ({@code SPARK_HOME/jars}): Spark's jars (the provided class path
   * this build wrote) with the Jackson and SLF4J jars the harness shares with it; none of the harness's own.
   */
  private static Path sparkHome(Path build) throws IOException {
    Path home = Files.createTempDirectory("ovss-spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    List<String> entries = new ArrayList<>(List.of(Files.readString(build.resolve("spark-classpath.txt")).trim()
        .split(File.pathSeparator)));
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.contains("com/fasterxml/jackson/core") || e.contains("/org/slf4j/")) {
        entries.add(e);
      }
    }
    for (String e : entries) {
      Path jar = Path.of(e);
      Path link = jars.resolve(jar.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, jar);
      }
    }
    return home;
  }

  private Process start(Path sparkHome, Path log, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(List.of(OPENS.split(" ")));
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + File.separator + "*");
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : started) {
      try {
        p.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED"
      + " --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
      + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
      + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
      + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED"
      + " --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
      + " --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
      + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED";

  private static String classPathEntry(String part) {
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.contains(part)) {
        return e;
      }
    }
    throw new IllegalStateException(part + " is not on the test class path");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(500);
      }
    }
    throw new AssertionError("the master did not listen on 127.0.0.1:" + port + " within 120 s:\n"
        + Files.readString(log));
  }
}

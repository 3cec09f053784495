package org.ovss.runner.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a result was produced: harness version, git commit, machine. */
public final class Provenance {
  private Provenance() {}

  public static Map<String, Object> describe() {
    Map<String, Object> p = new LinkedHashMap<>();
    String version = Provenance.class.getPackage().getImplementationVersion();
    p.put("harnessVersion", version == null ? "development" : version);
    p.put("gitCommit", gitCommit());
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("arch", System.getProperty("os.arch"));
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    p.put("machine", machine);
    return p;
  }

  /** The commit of the working directory's repository, or "unknown" outside one. */
  static String gitCommit() {
    try {
      Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
        return out;
      }
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }
}

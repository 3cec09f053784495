package org.ovss.runner.cli;

import java.util.TreeSet;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.runner.MethodRegistry;
import picocli.CommandLine.Command;

/** {@code ovss methods}: what plugins are installed. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the discovered method plugins with their paper and capabilities.")
final class MethodsCommand implements Runnable {

  @Override
  public void run() {
    MethodRegistry registry = MethodRegistry.discover();
    System.out.printf("%-10s %-22s %-22s %-10s %s%n", "ID", "NAME", "CAPABILITIES", "PROTOCOL", "PAPER");
    for (MethodProvider p : registry.all()) {
      MethodInfo info = p.info();
      String caps = String.join(",", new TreeSet<>(info.capabilities().stream().map(Enum::name).toList()));
      System.out.printf("%-10s %-22s %-22s %-10s %s%n", info.id(), info.displayName(), caps, info.defaultProtocol(), info.paper());
    }
  }
}

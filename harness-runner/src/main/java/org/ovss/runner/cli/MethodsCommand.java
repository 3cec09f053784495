package org.ovss.runner.cli;

import java.util.TreeSet;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.runner.MethodRegistry;
import picocli.CommandLine.Command;

/** {@code ovss methods}: what plugins are installed. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the discovered method plugins with their paper, capabilities, version and origin (built in,"
        + " or the plugin jar).")
final class MethodsCommand implements Runnable {

  @Override
  public void run() {
    MethodRegistry registry = MethodRegistry.discover();
    int paperWidth = registry.all().stream().mapToInt(p -> p.info().paper().length()).max().orElse(5);
    String row = "%-10s %-22s %-22s %-10s %-" + paperWidth + "s  %-16s %s%n";
    System.out.printf(row, "ID", "NAME", "CAPABILITIES", "PROTOCOL", "PAPER", "VERSION", "ORIGIN");
    for (MethodProvider p : registry.all()) {
      MethodInfo info = p.info();
      String caps = String.join(",", new TreeSet<>(info.capabilities().stream().map(Enum::name).toList()));
      PluginRegistry.Origin origin = registry.origin(info.id());
      System.out.printf(row, info.id(), info.displayName(), caps, info.defaultProtocol(), info.paper(), origin.version(), origin);
    }
  }
}

package org.ovss.runner.cli;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.Paper;
import org.ovss.api.Papers;
import org.ovss.api.plugins.PluginRegistry;
import org.ovss.runner.MethodRegistry;
import picocli.CommandLine.Command;

/** {@code ovss methods}: what plugins are installed. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the discovered method plugins with their capabilities, default protocol, paper (authors,"
        + " title, venue, arXiv id), version and origin (built in, or the plugin jar).")
final class MethodsCommand implements Runnable {

  @Override
  public void run() {
    MethodRegistry registry = MethodRegistry.discover();
    Set<String> cited = new LinkedHashSet<>();
    int paperWidth = registry.all().stream().mapToInt(p -> p.info().paper().length()).max().orElse(5);
    String row = "%-10s %-22s %-22s %-10s %-" + paperWidth + "s  %-16s %s%n";
    System.out.printf(row, "ID", "NAME", "CAPABILITIES", "PROTOCOL", "PAPER", "VERSION", "ORIGIN");
    for (MethodProvider p : registry.all()) {
      MethodInfo info = p.info();
      String caps = String.join(",", new TreeSet<>(info.capabilities().stream().map(Enum::name).toList()));
      PluginRegistry.Origin origin = registry.origin(info.id());
      System.out.printf(row, info.id(), info.displayName(), caps, info.defaultProtocol(), info.paper(), origin.version(), origin);
      cited.add(info.paper());
    }
    System.out.println();
    System.out.println("Papers:");
    for (String key : cited) {
      // a plugin from elsewhere may name a paper the registry does not hold: its text is shown as given
      System.out.printf("  %-14s %s%n", key, Papers.find(key).map(Paper::citation).orElse(key));
    }
  }
}

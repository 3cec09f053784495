package org.ovss.runner.cli;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.Paper;
import org.ovss.api.Papers;
import org.ovss.runner.MethodRegistry;
import picocli.CommandLine.Command;

/** {@code ovss methods}: what plugins are installed. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the discovered method plugins with their capabilities, default protocol and paper (authors,"
        + " title, venue, arXiv id).")
final class MethodsCommand implements Runnable {

  @Override
  public void run() {
    MethodRegistry registry = MethodRegistry.discover();
    Set<String> cited = new LinkedHashSet<>();
    System.out.printf("%-10s %-22s %-22s %-10s %s%n", "ID", "NAME", "CAPABILITIES", "PROTOCOL", "PAPER");
    for (MethodProvider p : registry.all()) {
      MethodInfo info = p.info();
      String caps = String.join(",", new TreeSet<>(info.capabilities().stream().map(Enum::name).toList()));
      System.out.printf("%-10s %-22s %-22s %-10s %s%n", info.id(), info.displayName(), caps, info.defaultProtocol(), info.paper());
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

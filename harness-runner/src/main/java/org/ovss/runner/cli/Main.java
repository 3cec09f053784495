package org.ovss.runner.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ovss.api.OvssException;
import org.ovss.api.plugins.PluginRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ovss} command line. */
@Command(
    name = "ovss",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Open-vocabulary semantic segmentation harness: methods, encoders, evaluation.",
    subcommands = {MethodsCommand.class, EncodeCommand.class, EvalCommand.class, PrepareCommand.class, DatasetsCommand.class, SegmentCommand.class, SynthCommand.class,
      TrainCommand.class, DemoCommand.class, BoardCommand.class, CompareCommand.class, BenchCommand.class, RunCommand.class, NewMethodCommand.class,
      CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  private static final String PLUGINS = "--plugins";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Read in {@link #execute} before any library logs; declared here so that every subcommand accepts it. */
  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "show the libraries' INFO and WARN lines (engine banners, GPU probes); off by default")
  boolean verbose;

  @CommandLine.Option(names = PLUGINS, paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
      description = "Also load the plugins at PATH (repeatable): a plugin jar, a folder holding a plugin jar and its"
          + " library jars, or a folder of such (besides OVSS_PLUGIN_PATH and ~/.ovss/plugins).")
  List<Path> plugins = new ArrayList<>();

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code; user errors print one clear line instead of a stack trace. */
  public static int execute(String... args) {
    Logging.configure(java.util.Arrays.asList(args).contains("--verbose"));
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof OvssException) {
        commandLine.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    cli.setExecutionStrategy(parseResult -> {
      PluginRegistry registry = PluginRegistry.configure(pluginPaths(parseResult));
      registry.problems().forEach(problem -> cli.getErr().println("ovss: " + problem));
      return new CommandLine.RunLast().execute(parseResult);
    });
    return cli.execute(args);
  }

  /** The {@code --plugins} values given to the command and its subcommands, in order. */
  private static List<Path> pluginPaths(CommandLine.ParseResult parseResult) {
    List<Path> paths = new ArrayList<>();
    for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
      CommandLine.Model.OptionSpec option = r.matchedOption(PLUGINS);
      if (option != null) {
        option.stringValues().stream().map(Path::of).filter(p -> !paths.contains(p)).forEach(paths::add);
      }
    }
    return paths;
  }
}

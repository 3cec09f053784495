package org.ovss.runner.cli;

import org.ovss.api.OvssException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ovss} command line. */
@Command(
    name = "ovss",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Open-vocabulary semantic segmentation harness: methods, encoders, evaluation.",
    subcommands = {MethodsCommand.class, EncodeCommand.class, EvalCommand.class, PrepareCommand.class, DatasetsCommand.class, SegmentCommand.class, SynthCommand.class,
      TrainCommand.class, DemoCommand.class, BoardCommand.class, CompareCommand.class, BenchCommand.class, RunCommand.class,
      CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Read in {@link #execute} before any library logs; declared here so that every subcommand accepts it. */
  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "show the libraries' INFO and WARN lines (engine banners, GPU probes); off by default")
  boolean verbose;

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
    return cli.execute(args);
  }
}

package org.ovss.runner.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ovss.api.Capability;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.runner.segment.SegmentRun;
import org.ovss.runner.segment.Vocabulary;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ovss segment}: a method on your own images with your own class names. */
@Command(name = "segment", mixinStandardHelpOptions = true,
    description = {"Segment images with your own class names under the method's protocol (every override works).",
      "Per image in --out: STEM.png (palette label map of the image's size), STEM.overlay.png (image blended with",
      "the class colours, legend of the classes present) and STEM.json (classes present, pixel shares, mean",
      "confidence). An unreadable image is named and skipped; the exit status is then 1."})
final class SegmentCommand implements Callable<Integer> {

  @Mixin MethodOptions methodOptions;

  static final class Classes {
    @Option(names = "--classes", required = true, paramLabel = "NAMES",
        description = "comma-separated classes; synonyms after ';' query the same class (\"person;man;woman,dog\")")
    String classes;

    @Option(names = "--classes-file", required = true, paramLabel = "FILE",
        description = "classes one or more per line in the --classes format ('#' starts a comment line)")
    Path classesFile;
  }

  @ArgGroup(exclusive = true, multiplicity = "1") Classes classes;

  @Option(names = "--background", arity = "0..1", fallbackValue = "", paramLabel = "NAMES",
      description = "add a background class 0, queried by these comma-separated names (\"sky,wall\"; alone: "
          + "'background'); needed for --prob-thd and --bg-threshold")
  String background;

  @Parameters(arity = "1..*", paramLabel = "INPUT", description = "images, or folders of images (.jpg .jpeg .png .bmp)")
  List<Path> inputs;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--protocol", description = "protocol name or JSON file (default: the method's)")
  String protocol;

  @Mixin ProtocolOverrides overrides;

  @Option(names = "--window-batch", defaultValue = "16", description = "windows per forward (default ${DEFAULT-VALUE})")
  int windowBatch;

  @Option(names = "--html", description = "also write DIR/index.html: every image beside its overlay and legend")
  boolean html;

  /** Runs the command; 1 when an image could not be read. */
  @Override
  public Integer call() {
    MethodProvider provider = methodOptions.provider(Capability.SEGMENT);
    List<ClassPrompt> prompts = classes.classes != null
        ? Vocabulary.parse(List.of(classes.classes), "--classes")
        : Vocabulary.read(classes.classesFile);
    List<String> bg = null;
    if (background != null) {
      bg = new ArrayList<>();
      for (String name : background.split(",", -1)) {
        if (!name.isBlank()) {
          bg.add(name.strip());
        }
      }
    }
    Map<String, String> o = overrides.map();
    if (bg == null) {
      // Without a background class every pixel gets one of the classes: no protocol's threshold applies.
      if (o.containsKey("probThreshold") || o.containsKey("bgThreshold")) {
        throw new InvalidInputException("--prob-thd and --bg-threshold send pixels to a background class:"
            + " add --background (optionally with its names, e.g. --background \"sky,wall\")");
      }
      o.put("probThreshold", "0");
      o.put("bgThreshold", "off");
    }
    SegmentRun.Outcome outcome = SegmentRun.run(new SegmentRun.Request(provider, methodOptions.config(provider),
        Vocabulary.spec(prompts, bg), protocol, o, inputs, out, windowBatch, html), System.err);
    System.out.println("wrote " + outcome.written() + " label maps, overlays and JSON files to " + out
        + (html ? " (and index.html)" : ""));
    if (!outcome.failed().isEmpty()) {
      System.out.println(outcome.failed().size() + " image(s) could not be read: " + outcome.failed().keySet());
      return 1;
    }
    return 0;
  }
}

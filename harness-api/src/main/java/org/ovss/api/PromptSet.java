package org.ovss.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Named list of prompt templates; {@code {}} stands for the class name.
 *
 * <p>Built-in sets are data files under {@code org/ovss/api/prompts/NAME.txt}, one template a line.
 */
public record PromptSet(String name, List<String> templates) {

  /** Names of the built-in prompt sets. */
  public static final List<String> BUILT_IN = List.of("openai-imagenet-80", "a-photo-of", "pacl-7", "synth");

  public PromptSet {
    templates = List.copyOf(templates);
    if (templates.isEmpty()) {
      throw new InvalidInputException("prompt set '" + name + "' has no templates");
    }
    for (String t : templates) {
      if (!t.contains("{}")) {
        throw new InvalidInputException("template '" + t + "' of prompt set '" + name + "' has no {} placeholder");
      }
    }
  }

  public String apply(String template, String className) {
    return template.replace("{}", className);
  }

  /** A built-in set by name, or a file path holding one template a line. */
  public static PromptSet named(String nameOrPath) {
    if (BUILT_IN.contains(nameOrPath)) {
      try (InputStream in = PromptSet.class.getResourceAsStream("prompts/" + nameOrPath + ".txt")) {
        return new PromptSet(nameOrPath, readLines(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path file = Path.of(nameOrPath);
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        return new PromptSet(file.getFileName().toString(), readLines(in));
      } catch (IOException e) {
        throw new InvalidInputException("cannot read prompt file " + file + ": " + e.getMessage());
      }
    }
    throw new UnknownNameException("prompt set", nameOrPath, BUILT_IN);
  }

  private static List<String> readLines(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line.strip());
        }
      }
    }
    return lines;
  }
}

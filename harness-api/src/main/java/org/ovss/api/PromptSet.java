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
import java.util.Optional;
import org.ovss.api.plugins.PluginRegistry;

/**
 * Named list of prompt templates; {@code {}} stands for the class name.
 *
 * <p>Named sets are data files {@code META-INF/ovss/prompts/NAME.txt}, one template a line, in the harness or in a
 * plugin (see {@link PluginRegistry}).
 */
public record PromptSet(String name, List<String> templates) {

  /** Data kind of prompt sets in {@link PluginRegistry}. */
  public static final String KIND = "prompts";

  /** Names of the prompt sets the harness and its plugins bring. */
  public static List<String> names() {
    return PluginRegistry.get().names(KIND);
  }

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

  /** A named set (the harness's or a plugin's), or a file path holding one template a line. */
  public static PromptSet named(String nameOrPath) {
    Optional<PluginRegistry.Data> data = PluginRegistry.get().data(KIND, nameOrPath);
    if (data.isPresent()) {
      try (InputStream in = data.get().open()) {
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
    throw new UnknownNameException("prompt set", nameOrPath, names());
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

package org.ovss.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;
import org.ovss.api.plugins.PluginRegistry;

/**
 * The named dataset specs (JSON files {@code META-INF/ovss/datasets/NAME.json} of the harness and its plugins) and the reader of user-defined
 * ones. Unknown names fail listing the available ones; spec files are read strictly (unknown or duplicate keys are
 * refused) so a typo cannot silently fall back to a default.
 */
public final class DatasetSpecs {
  /** The harness's own specs in the order of the SCLIP benchmark table; other names follow sorted. */
  private static final List<String> ORDER =
      List.of("voc21", "voc20", "context60", "context59", "coco-object", "coco-stuff", "ade20k", "cityscapes",
          "synth-shapes", "synth-shapes-bg", "synth-stuff");
  /** Data kind of dataset specs in {@link PluginRegistry}. */
  public static final String KIND = "datasets";
  private static final Map<String, DatasetSpec> LOADED = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private DatasetSpecs() {}

  /** Names of the specs the harness and its plugins bring: the built-ins in the order of the SCLIP benchmark table. */
  public static List<String> names() {
    List<String> found = PluginRegistry.get().names(KIND);
    List<String> names = new ArrayList<>(ORDER.stream().filter(found::contains).toList());
    found.stream().filter(n -> !ORDER.contains(n)).forEach(names::add);
    return names;
  }

  /**
   * The named spec (the harness's or a plugin's, {@code META-INF/ovss/datasets/NAME.json}).
   *
   * @throws UnknownNameException listing {@link #names()} when there is none
   */
  public static DatasetSpec get(String name) {
    PluginRegistry.Data data = PluginRegistry.get().data(KIND, name)
        .orElseThrow(() -> new UnknownNameException("dataset", name, names()));
    return LOADED.computeIfAbsent(data.url().toString(), u -> readNamed(data));
  }

  /**
   * Reads a user-defined spec file in the format of the built-in ones. Required keys: {@code name}, {@code classes},
   * {@code palette}, {@code layout}; the others default ({@code ignoreIndex} 255, flags false, {@code altClasses} the
   * class names, {@code expectedValSize} 0 = unknown).
   *
   * @throws InvalidInputException naming the file and the key at fault
   */
  public static DatasetSpec load(Path jsonFile) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(jsonFile);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read dataset spec " + jsonFile + ": " + e.getMessage(), e);
    }
    return parse(bytes, jsonFile.toString());
  }

  private static DatasetSpec readNamed(PluginRegistry.Data data) {
    String where = "dataset spec " + data.where();
    try (InputStream in = data.open()) {
      DatasetSpec spec = parse(in.readAllBytes(), where);
      if (!spec.name().equals(data.name())) {
        throw new InvalidInputException(where + " names itself '" + spec.name() + "'");
      }
      return spec;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DatasetSpec parse(byte[] bytes, String origin) {
    SpecFile file;
    try {
      file = JSON.readValue(bytes, SpecFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException("unknown key '" + e.getPropertyName() + "'" + at(e) + " in " + origin
          + "; allowed keys there: " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
          .collect(Collectors.joining(", ")), e);
    } catch (JsonProcessingException e) {
      String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new InvalidInputException(origin + " is not a valid dataset spec" + line + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (file == null) {
      throw new InvalidInputException(origin + " is not a valid dataset spec: it holds no JSON object");
    }
    try {
      return file.toSpec(Sha256.hex(bytes));
    } catch (InvalidInputException e) {
      throw new InvalidInputException(origin + ": " + e.getMessage(), e);
    }
  }

  /** JSON path of the object holding the offending key, e.g. {@code " at classes[3]"}. */
  private static String at(JsonMappingException e) {
    List<JsonMappingException.Reference> path = e.getPath();
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : path.subList(0, Math.max(0, path.size() - 1))) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "" : " at " + sb;
  }

  private static <T> T required(T value, String key) {
    if (value == null) {
      throw new InvalidInputException("missing key '" + key + "'");
    }
    return value;
  }

  /** The file format; keys and their meaning are those of {@link DatasetSpec}. */
  record SpecFile(String name, String displayName, String source, List<ClassFile> classes, List<String> altClasses,
                  int[][] palette, LayoutFile layout, Integer ignoreIndex, Boolean reduceZeroLabel,
                  Boolean hasBackground, Integer expectedValSize) {

    DatasetSpec toSpec(String contentHash) {
      List<ClassPrompt> prompts = new ArrayList<>();
      for (ClassFile c : required(classes, "classes")) {
        prompts.add(required(c, "classes[" + prompts.size() + "]").toPrompt(prompts.size()));
      }
      List<ClassPrompt> alt = new ArrayList<>();
      if (altClasses == null) {
        prompts.forEach(p -> alt.add(ClassPrompt.of(p.name())));
      } else {
        for (String a : altClasses) {
          alt.add(ClassPrompt.of(required(a, "altClasses[" + alt.size() + "]").strip()));
        }
      }
      int[][] colours = required(palette, "palette");
      for (int k = 0; k < colours.length; k++) {
        required(colours[k], "palette[" + k + "]");
      }
      return new DatasetSpec(required(name, "name"), displayName, prompts, alt, colours,
          required(layout, "layout").toLayout(), ignoreIndex == null ? 255 : ignoreIndex,
          Boolean.TRUE.equals(reduceZeroLabel), Boolean.TRUE.equals(hasBackground),
          expectedValSize == null ? 0 : expectedValSize, source, contentHash);
    }
  }

  /** One class: {@code queries} defaults to the name alone. */
  record ClassFile(String name, List<String> queries) {

    ClassPrompt toPrompt(int index) {
      String where = "classes[" + index + "]";
      String n = required(name, where + ".name").strip();
      if (queries == null) {
        return ClassPrompt.of(n);
      }
      for (int q = 0; q < queries.size(); q++) {
        if (queries.get(q) == null || queries.get(q).isBlank()) {
          throw new InvalidInputException(where + ".queries[" + q + "] is empty (class '" + n + "')");
        }
      }
      return new ClassPrompt(n, queries.stream().map(String::strip).toList());
    }
  }

  /** The layout object; {@code splitFile} null means "list the images", {@code recursive} defaults to false. */
  record LayoutFile(String imageDir, String imageSuffix, String labelDir, String labelSuffix, String splitFile,
                    Boolean recursive) {

    Layout toLayout() {
      return new Layout(imageDir, imageSuffix, labelDir, labelSuffix, splitFile, Boolean.TRUE.equals(recursive));
    }
  }
}

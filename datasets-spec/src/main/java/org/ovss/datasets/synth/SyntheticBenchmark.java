package org.ovss.datasets.synth;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * The synthetic benchmark ({@code ovss synth}): deterministic image-caption pairs with label maps, so that every
 * method can be trained and evaluated end to end without a real dataset.
 *
 * <p>Each image shows one to four shapes ({@link #SHAPES}, in {@link #COLOURS}) of random size, position and
 * rotation, partly overlapping, on a textured background ({@link #STUFF}); each shape wears a surface pattern of its
 * class's own family (spots on circles, checks on squares, ...; see {@code Surfaces}), as real object classes have a
 * characteristic surface besides their outline. Its captions name some of the shapes,
 * often their colours and the background, and leave things out the way web alt-text does (see {@code captions.jsonl}
 * below). Image {@code i} of a split depends only on the seed, the image size, the split and {@code i}, so the
 * output is the same whatever the number of threads, and a smaller run's images are the first ones of a larger run.
 *
 * <p>Layout under the output directory (the PASCAL VOC one, so the standard readers apply):
 * <pre>
 * JPEGImages/ID.png              RGB image (PNG, lossless, despite the VOC folder name)
 * SegmentationClass/ID.png       palette PNG: 0 background, 1..K the shapes in SHAPES order
 * SegmentationClassStuff/ID.png  palette PNG: 1..K the shapes, K+1..K+S the stuff in STUFF order (0 unused)
 * ImageSets/Segmentation/train.txt, val.txt   the ids, one a line (train_000000..., val_000000...)
 * captions.jsonl                 {"id","split","captions":[...],"objects":[{"shape","colour","pixels"}],"stuff"}
 * synth.json                     generator, version, config, class lists, caption noise rates
 * </pre>
 * The dataset specs {@link #SPECS} read it as three label sets: shapes only (background ignored, like VOC20), shapes
 * and background (like VOC21), shapes and stuff (like PASCAL Context 59).
 */
public final class SyntheticBenchmark {
  /** The shape classes, in label order (label value k + 1 in both label maps). */
  public static final List<String> SHAPES =
      List.of("circle", "square", "triangle", "star", "cross", "ring", "heart", "crescent");
  /** The shape words in the plural form captions use ("two circles", "three crosses"), in {@link #SHAPES} order. */
  public static final List<String> SHAPE_PLURALS = SHAPES.stream().map(Captions::plural).toList();
  /** The background ("stuff") classes, in label order (value 1 + shapes + k in the stuff label maps). */
  public static final List<String> STUFF = List.of("grass", "sky", "water", "sand", "wall");
  /** The colour words shapes are painted in and captions use. */
  public static final List<String> COLOURS =
      List.of("red", "green", "blue", "yellow", "purple", "orange", "white", "black");
  /** The built-in dataset specs over a generated benchmark: shapes only, shapes + background, shapes + stuff. */
  public static final List<String> SPECS = List.of("synth-shapes", "synth-shapes-bg", "synth-stuff");

  /**
   * Bumped whenever the same config would produce different files. 3: each pattern family keeps one direction
   * (axis-aligned, within a few degrees); 2: every shape class wears its own family of surface patterns ({@link
   * Surfaces}), turned any way; 1 had flat-coloured shapes.
   */
  static final int FORMAT_VERSION = 3;
  static final String GENERATOR = "ovss-synth";
  static final String IMAGE_DIR = "JPEGImages";
  static final String CLASS_LABEL_DIR = "SegmentationClass";
  static final String STUFF_LABEL_DIR = "SegmentationClassStuff";
  static final String SPLIT_DIR = "ImageSets/Segmentation";
  static final String CAPTIONS_FILE = "captions.jsonl";
  static final String METADATA_FILE = "synth.json";
  static final String TRAIN = "train";
  static final String VAL = "val";

  /** What a re-run clears before writing; anything else in the directory is left alone. */
  private static final List<String> OWN_ENTRIES =
      List.of(IMAGE_DIR, CLASS_LABEL_DIR, STUFF_LABEL_DIR, "ImageSets", CAPTIONS_FILE, METADATA_FILE);
  /** Most images a worker claims at a time: enough to make the shared counter cheap, few enough to balance the tail. */
  private static final int MAX_CHUNK = 32;
  /** Separates an image's caption stream from its scene stream, so caption changes leave the pixels alone. */
  private static final long CAPTION_STREAM = 0x632be59bd9b4e019L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheticBenchmark() {}

  /**
   * Generates the benchmark under {@code out} with one thread per core; see {@link #generate(Path, SynthConfig, int)}.
   */
  public static Summary generate(Path out, SynthConfig config) {
    return generate(out, config, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Generates the benchmark under {@code out} (created if missing) with {@code threads} workers. The files are the
   * same bytes for the same config whatever {@code threads} is (on one JDK: PNG compression is its zlib's).
   *
   * @throws InvalidInputException when {@code out} is a file, or a non-empty directory that an earlier run did not
   *     write (a re-run over an earlier output replaces that output)
   */
  public static Summary generate(Path out, SynthConfig config, int threads) {
    if (threads < 1) {
      throw new InvalidInputException("thread count must be >= 1, not " + threads);
    }
    long start = System.nanoTime();
    try {
      prepare(out);
      for (String dir : List.of(IMAGE_DIR, CLASS_LABEL_DIR, STUFF_LABEL_DIR, SPLIT_DIR)) {
        Files.createDirectories(out.resolve(dir));
      }
      // Metadata first: an interrupted run is still recognised as ours and may be overwritten by the next one.
      Files.writeString(out.resolve(METADATA_FILE), metadata(config));
      String[] lines = new String[config.train() + config.val()];
      writeImages(out, config, threads, lines);
      // Split files and captions last: a reader never finds them pointing at images not yet written.
      writeLines(out.resolve(SPLIT_DIR).resolve(TRAIN + ".txt"), ids(TRAIN, config.train()));
      writeLines(out.resolve(SPLIT_DIR).resolve(VAL + ".txt"), ids(VAL, config.val()));
      writeLines(out.resolve(CAPTIONS_FILE), List.of(lines));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the synthetic benchmark under " + out + ": " + e.getMessage(), e);
    }
    return new Summary(out, config.train(), config.val(), (System.nanoTime() - start) / 1e9);
  }

  /**
   * Reads {@code captions.jsonl} of a generated benchmark, in file order (train, then val, by index).
   *
   * @throws InvalidInputException when the file is missing or a line is not a caption record
   */
  public static List<CaptionRecord> readCaptions(Path root) {
    Path file = root.resolve(CAPTIONS_FILE);
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(file + " not found: " + root + " holds no (complete) synthetic benchmark; "
          + "write one with `ovss synth --out " + root + "`");
    }
    List<CaptionRecord> records = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (!line.isBlank()) {
          records.add(parseRecord(line, file + " line " + lineNumber));
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return records;
  }

  /**
   * The benchmark version of a data root this generator wrote, as {@code ovss-synth/N} ({@code N} from its
   * {@code synth.json}), or empty for any other directory. Results record it so that scores on different versions
   * of the benchmark (version 1: flat-coloured shapes; version 2: shapes with their class's surface pattern) are
   * never mixed on one board.
   */
  public static Optional<String> datasetVersion(Path root) {
    return readMetadata(root).map(m -> GENERATOR + "/" + m.path("version").asInt(1));
  }

  /**
   * Whether {@code root} holds a complete benchmark of the current version written with {@code config}, so that it
   * can be used as is instead of generating it again.
   */
  public static boolean holds(Path root, SynthConfig config) {
    if (!Files.isRegularFile(root.resolve(CAPTIONS_FILE))) {
      return false;
    }
    return readMetadata(root).filter(m -> m.path("version").asInt() == FORMAT_VERSION).map(m -> m.path("config"))
        .filter(c -> c.path("train").asInt(-1) == config.train() && c.path("val").asInt(-1) == config.val()
            && c.path("size").asInt(-1) == config.size() && c.path("seed").isIntegralNumber()
            && c.path("seed").asLong() == config.seed())
        .isPresent();
  }

  /**
   * What a run wrote.
   *
   * @param root the output directory
   * @param train training images written
   * @param val val images written
   * @param seconds wall time of the run
   */
  public record Summary(Path root, int train, int val, double seconds) {}

  /**
   * One line of {@code captions.jsonl}, as training reads it.
   *
   * @param id the image id ({@code JPEGImages/ID.png})
   * @param split {@code train} or {@code val}
   * @param captions the image's captions (never empty)
   * @param shapes the shapes the image shows, in drawing order, one entry per object
   * @param stuff the background class
   */
  public record CaptionRecord(String id, String split, List<String> captions, List<String> shapes, String stuff) {
    public CaptionRecord {
      captions = List.copyOf(captions);
      shapes = List.copyOf(shapes);
    }
  }

  /** SplitMix64's finaliser: a bijection that spreads every input bit over the output, so nearby seeds diverge. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The seed of image {@code index} of a split (0 train, 1 val): a function of nothing else. */
  static long imageSeed(long seed, int split, int index) {
    return mix(mix(seed + 0x9e3779b97f4a7c15L * (split + 1)) + index);
  }

  /** The label maps' palette: the VOC colour map, entry k for label value k (shapes, then stuff). */
  static int[] labelColour(int value) {
    int r = 0;
    int g = 0;
    int b = 0;
    int c = value;
    for (int bit = 7; bit >= 0; bit--) {
      r |= (c & 1) << bit;
      g |= ((c >> 1) & 1) << bit;
      b |= ((c >> 2) & 1) << bit;
      c >>= 3;
    }
    return new int[] {r, g, b};
  }

  private static void writeImages(Path out, SynthConfig config, int threads, String[] lines) throws IOException {
    // Small runs get small chunks, so that every worker takes part (and the thread-count tests mean something).
    int chunk = Math.max(1, Math.min(MAX_CHUNK, lines.length / (4 * threads)));
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    byte[] palette = labelPalette();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "ovss-synth");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        workers.add(pool.submit(() -> {
          try (PngEncoder png = new PngEncoder()) {
            SceneRenderer renderer = new SceneRenderer(config.size());
            for (int first = next.getAndAdd(chunk); first < lines.length && !failed.get();
                first = next.getAndAdd(chunk)) {
              for (int i = first; i < Math.min(first + chunk, lines.length); i++) {
                lines[i] = writeImage(out, config, i, renderer, png, palette);
              }
            }
          } catch (IOException | RuntimeException e) {
            failed.set(true);
            throw e;
          }
          return null;
        }));
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("synthetic benchmark worker failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the synthetic benchmark under " + out, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Renders image {@code i} (train images first, then val), writes its three PNGs; returns its captions line. */
  private static String writeImage(Path out, SynthConfig config, int i, SceneRenderer renderer, PngEncoder png,
                                   byte[] palette) throws IOException {
    boolean train = i < config.train();
    int index = train ? i : i - config.train();
    String split = train ? TRAIN : VAL;
    String id = id(split, index, train ? config.train() : config.val());
    long seed = imageSeed(config.seed(), train ? 0 : 1, index);
    Scene scene = renderer.render(new SplittableRandom(seed));
    List<String> captions = Captions.write(scene, new SplittableRandom(mix(seed ^ CAPTION_STREAM)));
    int size = config.size();
    Files.write(out.resolve(IMAGE_DIR).resolve(id + ".png"), png.rgb(size, size, scene.rgb()));
    Files.write(out.resolve(CLASS_LABEL_DIR).resolve(id + ".png"),
        png.indexed(size, size, scene.classLabels(), palette));
    Files.write(out.resolve(STUFF_LABEL_DIR).resolve(id + ".png"),
        png.indexed(size, size, scene.stuffLabels(), palette));
    ObjectNode line = JSON.createObjectNode();
    line.put("id", id);
    line.put("split", split);
    ArrayNode captionArray = line.putArray("captions");
    captions.forEach(captionArray::add);
    ArrayNode objects = line.putArray("objects");
    for (Scene.SceneObject o : scene.objects()) {
      objects.addObject()
          .put("shape", SHAPES.get(o.shape()))
          .put("colour", COLOURS.get(o.colour()))
          .put("pixels", o.pixels());
    }
    line.put("stuff", STUFF.get(scene.stuff()));
    return JSON.writeValueAsString(line);
  }

  /** '\n'-terminated lines whatever the platform's separator, so the files are the same bytes everywhere. */
  private static void writeLines(Path file, List<String> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** {@code train_000042}: zero-padded so that file listings sort in index order. */
  static String id(String split, int index, int count) {
    int digits = Math.max(6, String.valueOf(Math.max(0, count - 1)).length());
    return split + "_" + String.format("%0" + digits + "d", index);
  }

  private static List<String> ids(String split, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(id(split, i, count));
    }
    return ids;
  }

  /** One entry per label value in use: background, the shapes, the stuff classes. */
  private static byte[] labelPalette() {
    int entries = 1 + SHAPES.size() + STUFF.size();
    byte[] palette = new byte[3 * entries];
    for (int k = 0; k < entries; k++) {
      int[] rgb = labelColour(k);
      for (int c = 0; c < 3; c++) {
        palette[3 * k + c] = (byte) rgb[c];
      }
    }
    return palette;
  }

  private static String metadata(SynthConfig config) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("generator", GENERATOR);
    root.put("version", FORMAT_VERSION);
    ObjectNode cfg = root.putObject("config");
    cfg.put("train", config.train());
    cfg.put("val", config.val());
    cfg.put("size", config.size());
    cfg.put("seed", config.seed());
    SHAPES.forEach(root.putArray("shapes")::add);
    STUFF.forEach(root.putArray("stuff")::add);
    COLOURS.forEach(root.putArray("colours")::add);
    ObjectNode captions = root.putObject("captions");
    captions.put("perImage", Captions.PER_IMAGE);
    captions.put("omitShape", Captions.OMIT_SHAPE);
    captions.put("nameColour", Captions.NAME_COLOUR);
    captions.put("wrongColour", Captions.WRONG_COLOUR);
    SPECS.forEach(root.putArray("specs")::add);
    // An explicit '\n' indenter: the default one uses the platform's line separator.
    DefaultPrettyPrinter pretty = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    return JSON.writer(pretty).writeValueAsString(root) + "\n";
  }

  /** Refuses a file or a foreign non-empty directory; clears an earlier run's output. */
  private static void prepare(Path out) throws IOException {
    if (!Files.exists(out)) {
      return;
    }
    if (!Files.isDirectory(out)) {
      throw new InvalidInputException("--out " + out + " is a file; the synthetic benchmark needs a directory");
    }
    try (Stream<Path> entries = Files.list(out)) {
      if (entries.findAny().isEmpty()) {
        return;
      }
    }
    if (!isEarlierOutput(out)) {
      throw new InvalidInputException("--out " + out + " is not empty and holds no " + METADATA_FILE + " from an "
          + "earlier `ovss synth` run; refusing to overwrite it. Name a new or empty directory.");
    }
    for (String entry : OWN_ENTRIES) {
      Path path = out.resolve(entry);
      if (Files.exists(path)) {
        try (Stream<Path> tree = Files.walk(path)) {
          for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    }
  }

  private static boolean isEarlierOutput(Path out) {
    return readMetadata(out).isPresent();
  }

  /** The {@code synth.json} of a directory this generator wrote; empty when there is none or it is not ours. */
  private static Optional<JsonNode> readMetadata(Path root) {
    Path metadata = root.resolve(METADATA_FILE);
    if (!Files.isRegularFile(metadata)) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(metadata.toFile());
      return node != null && GENERATOR.equals(node.path("generator").asText()) ? Optional.of(node) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static CaptionRecord parseRecord(String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new InvalidInputException(where + " is not JSON: " + e.getMessage(), e);
    }
    List<String> captions = new ArrayList<>();
    for (JsonNode c : array(node, "captions", where)) {
      captions.add(text(c, "captions[]", where));
    }
    if (captions.isEmpty()) {
      throw new InvalidInputException(where + " has no captions");
    }
    List<String> shapes = new ArrayList<>();
    for (JsonNode o : array(node, "objects", where)) {
      shapes.add(text(o.get("shape"), "objects[].shape", where));
    }
    String split = text(node.get("split"), "split", where);
    if (!split.equals(TRAIN) && !split.equals(VAL)) {
      throw new InvalidInputException(where + ": split is '" + split + "', expected train or val");
    }
    return new CaptionRecord(text(node.get("id"), "id", where), split, captions, shapes,
        text(node.get("stuff"), "stuff", where));
  }

  private static JsonNode array(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || !value.isArray()) {
      throw new InvalidInputException(where + ": '" + key + "' is missing or not an array");
    }
    return value;
  }

  private static String text(JsonNode value, String key, String where) {
    if (value == null || !value.isTextual()) {
      throw new InvalidInputException(where + ": '" + key + "' is missing or not a string");
    }
    return value.asText();
  }
}

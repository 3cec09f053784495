package org.ovss.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;

/**
 * The samples of one split of a dataset under a user's {@code --data-root}, checked up front so that an evaluation
 * never fails half-way on a missing file.
 *
 * <p>Sample order is the reference's: split-file order when the layout has a split file, otherwise the images under
 * the image folder sorted by path (mmseg {@code BaseSegDataset.load_data_list}, which lists images, not labels, and
 * derives each label path from the image path).
 */
public final class DatasetIndex {
  private static final int MISSING_SHOWN = 5;

  private final DatasetSpec spec;
  private final Path root;
  private final List<Sample> samples;
  private final String splitHash;

  private DatasetIndex(DatasetSpec spec, Path root, List<Sample> samples) {
    this.spec = spec;
    this.root = root;
    this.samples = List.copyOf(samples);
    MessageDigest sha = Sha256.digest();
    for (Sample s : this.samples) {
      sha.update((s.id() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    this.splitHash = HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Lists and checks the split of {@code spec} under {@code root}.
   *
   * @throws InvalidInputException when the root, a folder, the split file or any sample's image or label map is
   *     missing, or a split entry points outside the data root; the message names what is missing and where the
   *     layout expects it
   */
  public static DatasetIndex open(DatasetSpec spec, Path root) {
    Layout layout = spec.layout();
    if (!Files.isDirectory(root)) {
      throw new InvalidInputException("--data-root " + root + " is not a directory (dataset '" + spec.name()
          + "' expects " + expectedContents(layout) + ")");
    }
    Path base = root.toAbsolutePath().normalize();
    Path imageDir = requireDir(spec, base, layout.imageDir(), "image");
    Path labelDir = requireDir(spec, base, layout.labelDir(), "label");
    List<Sample> samples = layout.splitFile() == null
        ? listImages(spec, imageDir, labelDir)
        : readSplit(spec, base, imageDir, labelDir);
    if (samples.isEmpty()) {
      String from = layout.splitFile() == null
          ? "no *" + layout.imageSuffix() + " images under " + imageDir
          : "split file " + base.resolve(layout.splitFile()) + " lists no samples";
      throw new InvalidInputException("dataset '" + spec.name() + "' under " + base + " is empty: " + from);
    }
    return new DatasetIndex(spec, base, samples);
  }

  /** The spec this index lists samples of. */
  public DatasetSpec spec() {
    return spec;
  }

  /** The absolute, normalised data root. */
  public Path root() {
    return root;
  }

  /** The samples, in evaluation order. */
  public List<Sample> samples() {
    return samples;
  }

  /** Number of samples. */
  public int size() {
    return samples.size();
  }

  /** SHA-256 over the ordered sample ids (each followed by a newline): which images a result covers, and in what order. */
  public String splitHash() {
    return splitHash;
  }

  /** The first {@code n} samples (all of them when there are fewer), e.g. for a quick run. */
  public DatasetIndex limit(int n) {
    if (n < 0) {
      throw new InvalidInputException("sample limit must be >= 0, not " + n);
    }
    return n >= samples.size() ? this : new DatasetIndex(spec, root, samples.subList(0, n));
  }

  private static Path requireDir(DatasetSpec spec, Path base, String relative, String kind) {
    Path dir = base.resolve(relative).normalize();
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("dataset '" + spec.name() + "': expected " + relative + "/ under --data-root "
          + base + " (the directory holding " + expectedContents(spec.layout()) + "), but there is no " + kind
          + " folder " + dir);
    }
    return dir;
  }

  /** "JPEGImages, SegmentationClass and ImageSets": the top-level entries the layout needs in the data root. */
  private static String expectedContents(Layout layout) {
    Set<String> tops = new LinkedHashSet<>();
    tops.add(firstSegment(layout.imageDir()));
    tops.add(firstSegment(layout.labelDir()));
    if (layout.splitFile() != null) {
      tops.add(firstSegment(layout.splitFile()));
    }
    List<String> names = new ArrayList<>(tops);
    if (names.size() == 1) {
      return names.get(0);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
  }

  private static String firstSegment(String relative) {
    String normal = relative.replace('\\', '/');
    int slash = normal.indexOf('/');
    return slash < 0 ? normal : normal.substring(0, slash);
  }

  private static List<Sample> readSplit(DatasetSpec spec, Path base, Path imageDir, Path labelDir) {
    Layout layout = spec.layout();
    Path splitFile = base.resolve(layout.splitFile()).normalize();
    if (!Files.isRegularFile(splitFile)) {
      throw new InvalidInputException("dataset '" + spec.name() + "': split file " + layout.splitFile()
          + " not found under --data-root " + base + " (expected " + splitFile + ")");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(splitFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read split file " + splitFile + ": " + e.getMessage(), e);
    }
    List<Sample> samples = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      // mmseg strips each line (BaseSegDataset.load_data_list); blank lines carry no sample.
      String id = lines.get(i).strip();
      if (id.isEmpty()) {
        continue;
      }
      String where = "entry '" + id + "' (line " + (i + 1) + " of " + splitFile + ")";
      Sample sample = new Sample(id, inside(imageDir, id + layout.imageSuffix(), where),
          inside(labelDir, id + layout.labelSuffix(), where));
      if (!Files.isRegularFile(sample.image())) {
        missing.add(where + ": image " + sample.image());
      }
      if (!Files.isRegularFile(sample.label())) {
        missing.add(where + ": label map " + sample.label());
      }
      samples.add(sample);
    }
    if (!missing.isEmpty()) {
      throw missingFiles(spec, missing);
    }
    return samples;
  }

  /**
   * Resolves a split entry, refusing any that could read outside the dataset folder or name another folder's file:
   * split files list plain image ids (VOC, Context), so a path separator, {@code ..}, an absolute path or a control
   * character is a hostile or broken split file.
   */
  private static Path inside(Path dir, String relative, String where) {
    if (relative.startsWith("/") || relative.startsWith("\\") || relative.matches("^[A-Za-z]:.*")
        || Arrays.asList(relative.split("[/\\\\]")).contains("..")) {
      throw new InvalidInputException("split " + where + " is not a plain relative name: absolute paths and '..' are "
          + "refused so a split file cannot point outside the data root");
    }
    if (relative.indexOf('/') >= 0 || relative.indexOf('\\') >= 0) {
      throw new InvalidInputException("split " + where + " contains a path separator; split entries are image ids"
          + " (file names without folder and suffix)");
    }
    if (relative.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidInputException("split " + where.replaceAll("\\p{Cntrl}", "?") + " contains a control"
          + " character");
    }
    Path resolved;
    try {
      resolved = dir.resolve(relative).normalize();
    } catch (InvalidPathException e) {
      throw new InvalidInputException("split " + where + " is not a valid path: " + e.getMessage(), e);
    }
    if (!resolved.startsWith(dir)) {
      throw new InvalidInputException("split " + where + " resolves to " + resolved + ", outside " + dir);
    }
    return resolved;
  }

  private static List<Sample> listImages(DatasetSpec spec, Path imageDir, Path labelDir) {
    Layout layout = spec.layout();
    List<Sample> samples = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    // mmseg lists recursively and follows links (fileio.list_dir_or_file -> os.scandir), then sorts by path.
    try (Stream<Path> files = Files.walk(imageDir, layout.recursive() ? Integer.MAX_VALUE : 1,
        FileVisitOption.FOLLOW_LINKS)) {
      List<String> ids = files
          .filter(p -> p.getFileName().toString().endsWith(layout.imageSuffix()) && Files.isRegularFile(p))
          .map(p -> imageDir.relativize(p).toString().replace('\\', '/'))
          .map(rel -> rel.substring(0, rel.length() - layout.imageSuffix().length()))
          .sorted(Comparator.naturalOrder())
          .toList();
      for (String id : ids) {
        Sample sample = new Sample(id, imageDir.resolve(id + layout.imageSuffix()),
            labelDir.resolve(id + layout.labelSuffix()));
        if (!Files.isRegularFile(sample.label())) {
          missing.add("image " + sample.image() + ": label map " + sample.label());
        }
        samples.add(sample);
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot list images under " + imageDir + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new InvalidInputException("cannot list images under " + imageDir + ": " + e.getCause().getMessage(), e);
    }
    if (!missing.isEmpty()) {
      throw missingFiles(spec, missing);
    }
    return samples;
  }

  private static InvalidInputException missingFiles(DatasetSpec spec, List<String> missing) {
    StringBuilder sb = new StringBuilder("dataset '" + spec.name() + "': " + missing.size() + " file(s) missing:");
    missing.stream().limit(MISSING_SHOWN).forEach(m -> sb.append("\n  ").append(m));
    if (missing.size() > MISSING_SHOWN) {
      sb.append("\n  ... and ").append(missing.size() - MISSING_SHOWN).append(" more");
    }
    if (spec.layout().labelSuffix().contains("TrainIds")) {
      // The two COCO suffixes are the naming trap users hit most (anchors.md 2.5).
      sb.append("\n(label maps must be named ID").append(spec.layout().labelSuffix()).append(": COCO-Object labels are ")
          .append("*_instanceTrainIds.png made by `ovss prepare coco-object`, COCO-Stuff labels *_labelTrainIds.png, ")
          .append("Cityscapes labels *_gtFine_labelTrainIds.png from the cityscapesScripts/mmseg converter)");
    }
    return new InvalidInputException(sb.toString());
  }
}

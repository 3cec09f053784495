package org.ovss.runner.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.datasets.DatasetIndex;
import org.ovss.datasets.DatasetSpec;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.Boards;
import org.ovss.leaderboards.ResultStore;
import org.ovss.leaderboards.StoredResult;
import org.ovss.runner.Executions;
import org.ovss.runner.Hashing;
import org.ovss.runner.MethodRegistry;
import org.ovss.runner.eval.CellJob;
import org.ovss.runner.eval.EvalCheckpoint;
import org.ovss.runner.eval.EvalRun;
import org.ovss.runner.protocol.Protocols;

/**
 * A plan expanded into cells (method x dataset x protocol), each with its own folder under the plan's output, and
 * each cell's state against the result store: done (the store holds its result with the same fingerprint), partial
 * (a checkpoint of the same evaluation) or to do.
 */
public final class PlanCells {
  /** The file beside a cell's results.json that records the fingerprint it was evaluated under. */
  public static final String FINGERPRINT = "fingerprint.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<Path, String> weightsSha = new HashMap<>();

  /** One cell: a row (method with weights) on a column (dataset under a protocol). */
  public record Cell(int number, String row, String dataset, String protocol, CellJob job, Path dir) {
    public String title() {
      return row + " on " + dataset + " @ " + protocol;
    }
  }

  /** Where a cell stands; {@code images} is its split's size, {@code problem} why it cannot be evaluated (or null). */
  public record Status(State state, Map<String, String> fingerprint, int images, String problem) {}

  public enum State { DONE, PARTIAL, TODO, ERROR }

  /** The plan's output folder: {@code override}, else its {@code out} against the plan's folder, else NAME-out. */
  public static Path out(Plan plan, Path planFile, Path override) {
    if (override != null) {
      return override.toAbsolutePath().normalize();
    }
    Path base = folder(planFile);
    if (plan.out() != null) {
      return base.resolve(plan.out()).normalize();
    }
    String name = planFile.getFileName().toString().replaceFirst("\\.json$", "");
    return base.resolve(name + "-out").normalize();
  }

  /** The board the cells fill: the plan's, or one column per dataset and protocol of the cells. */
  public static BoardDefinition board(Plan plan, Path planFile, List<Cell> cells) {
    if (plan.board() != null) {
      return Boards.get(resolveIfFile(folder(planFile), plan.board()));
    }
    Map<String, BoardDefinition.Column> columns = new LinkedHashMap<>();
    for (Cell c : cells) {
      String id = c.dataset() + "@" + c.protocol();
      columns.putIfAbsent(id, new BoardDefinition.Column(id, c.dataset(), c.protocol(), c.dataset()));
    }
    String name = planFile.getFileName().toString().replaceFirst("\\.json$", "");
    return new BoardDefinition(name, "Plan " + name, "mIoU", new ArrayList<>(columns.values()), List.of(), List.of(),
        true, "the cells of plan " + planFile.getFileName());
  }

  /**
   * The cells of a plan, rows (methods) outer and columns inner; relative paths resolve against the plan's folder.
   * Board columns whose dataset the plan gives no root are left out (and named in {@code notes}).
   */
  public static List<Cell> expand(Plan plan, Path planFile, Path out, List<String> notes) {
    Path base = folder(planFile);
    Map<String, Plan.DatasetEntry> roots = new LinkedHashMap<>();
    for (Plan.DatasetEntry d : plan.datasets()) {
      roots.put(datasetName(base, d.dataset()), d);
    }
    List<String[]> columns = new ArrayList<>(); // dataset name, protocol (null: the method's default)
    if (plan.board() != null) {
      BoardDefinition def = Boards.get(resolveIfFile(base, plan.board()));
      for (BoardDefinition.Column col : def.columns()) {
        if (roots.containsKey(col.dataset())) {
          columns.add(new String[] {col.dataset(), col.protocol()});
        } else {
          notes.add("column " + col.id() + " of board " + def.name() + " left out: the plan gives no dataRoot for "
              + col.dataset());
        }
      }
    } else {
      for (String dataset : roots.keySet()) {
        columns.add(new String[] {dataset, plan.protocol() == null ? null : resolveIfFile(base, plan.protocol())});
      }
    }
    List<Cell> cells = new ArrayList<>();
    for (Plan.MethodEntry m : plan.methods()) {
      String row = m.label() != null ? m.label() : m.method();
      Map<String, String> overrides = new TreeMap<>();
      if (plan.overrides() != null) {
        overrides.putAll(plan.overrides());
      }
      if (m.overrides() != null) {
        overrides.putAll(m.overrides());
      }
      Execution execution = execution(plan, m, planFile);
      for (String[] col : columns) {
        Plan.DatasetEntry d = roots.get(col[0]);
        Integer limit = d.limit() != null ? d.limit() : plan.limit();
        CellJob draft = new CellJob(m.method(), base.resolve(m.weights()).normalize().toString(),
            m.tokenizer() == null ? null : base.resolve(m.tokenizer()).normalize().toString(),
            m.options() == null ? Map.of() : m.options(), resolveIfFile(base, d.dataset()),
            base.resolve(d.dataRoot()).normalize().toString(), col[1], overrides, limit,
            Boolean.TRUE.equals(plan.savePredictions()), plan.windowBatch() == null ? 16 : plan.windowBatch(), "",
            m.label(), execution);
        String protocolName = protocolName(draft, col[0]);
        Path dir = out.resolve("cells").resolve(safe(row)).resolve(safe(col[0] + "@" + protocolName));
        cells.add(new Cell(cells.size() + 1, row, col[0], protocolName, draft.withOut(dir.toString()), dir));
      }
    }
    return cells;
  }

  /**
   * The row's execution: its own engine keys, else the plan's, else the default of {@code ovss eval}; null (the
   * default) for a method this installation lacks, which its cells then report.
   */
  private static Execution execution(Plan plan, Plan.MethodEntry m, Path planFile) {
    MethodProvider provider;
    try {
      provider = MethodRegistry.discover().get(m.method());
    } catch (RuntimeException unknown) {
      return null;
    }
    return Executions.resolve(provider, m.engine() != null ? m.engine() : plan.engine(),
        m.precision() != null ? m.precision() : plan.precision(), m.device() != null ? m.device() : plan.device(),
        m.ep() != null ? m.ep() : plan.ep(), "plan " + planFile + ": method " + m.method() + ": ", false);
  }

  /** The cell's state against {@code store} (collected beforehand); problems are reported, not thrown. */
  public Status status(Cell cell, ResultStore store) {
    Map<String, String> fingerprint;
    int images;
    try {
      EvalRun.Request r = cell.job().request(false);
      String protocolName = r.protocol() == null ? r.provider().info().defaultProtocol() : r.protocol();
      Protocols.Resolved resolved = Protocols.withPrecision(
          Protocols.resolve(protocolName, r.spec().name(), r.overrides()), r.config().execution().precision());
      DatasetIndex index = DatasetIndex.open(r.spec(), r.dataRoot());
      if (r.limit() != null) {
        index = index.limit(r.limit());
      }
      images = index.size();
      Path weights = Path.of(cell.job().weights());
      String sha = weightsSha.computeIfAbsent(weights, Hashing::sha256);
      fingerprint = EvalRun.fingerprint(r, resolved, index, sha);
    } catch (RuntimeException e) {
      return new Status(State.ERROR, Map.of(), 0, e.getMessage());
    }
    Map<String, String> recorded = readFingerprint(cell.dir().resolve(FINGERPRINT), null);
    if (fingerprint.equals(recorded)) {
      String key = fingerprint.get("method") + "|" + fingerprint.get("weightsSha256") + "|" + fingerprint.get("dataset")
          + "|" + fingerprint.get("protocolSha256");
      for (StoredResult s : store.results()) {
        if (s.key().equals(key) && s.source().toAbsolutePath().normalize().equals(cell.dir())) {
          return new Status(State.DONE, fingerprint, images, null);
        }
      }
    }
    Map<String, String> checkpoint = readFingerprint(cell.dir().resolve(EvalCheckpoint.FILE), "fingerprint");
    return new Status(fingerprint.equals(checkpoint) ? State.PARTIAL : State.TODO, fingerprint, images, null);
  }

  /** Records the fingerprint a finished cell was evaluated under. */
  public static void recordFingerprint(Cell cell, Map<String, String> fingerprint) {
    try {
      EvalRun.writeAtomically(cell.dir().resolve(FINGERPRINT),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(new TreeMap<>(fingerprint)));
    } catch (IOException e) {
      throw new InvalidInputException("cannot write " + cell.dir().resolve(FINGERPRINT) + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> readFingerprint(Path file, String field) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      node = field == null ? node : node.path(field);
      Map<String, String> f = new TreeMap<>();
      node.fields().forEachRemaining(e -> f.put(e.getKey(), e.getValue().asText()));
      return f;
    } catch (IOException e) {
      return null; // unreadable: the cell is evaluated again
    }
  }

  private static String protocolName(CellJob job, String dataset) {
    String name = job.protocol() != null ? job.protocol() : job.provider().info().defaultProtocol();
    return Protocols.resolve(name, job.spec().name(), job.overrides()).protocol().name();
  }

  private static String datasetName(Path base, String dataset) {
    String resolved = resolveIfFile(base, dataset);
    if (Files.isRegularFile(Path.of(resolved))) {
      DatasetSpec spec = org.ovss.datasets.DatasetSpecs.load(Path.of(resolved));
      return spec.name();
    }
    return dataset;
  }

  /** A name as given, or the path of the file it names relative to the plan's folder when that file exists. */
  private static String resolveIfFile(Path base, String nameOrFile) {
    Path file = base.resolve(nameOrFile).normalize();
    return Files.isRegularFile(file) ? file.toString() : nameOrFile;
  }

  private static Path folder(Path planFile) {
    Path parent = planFile.toAbsolutePath().normalize().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._@-]", "_");
  }
}

package org.ovss.leaderboards;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.ovss.api.InvalidInputException;

/**
 * Two stored runs side by side: per dataset both mIoUs and their difference, and per class both IoUs. The two
 * sides are {@link Selector}s, so they may be two methods or one method under two protocols.
 */
public record Comparison(Selector a, Selector b, List<DatasetDiff> datasets) {

  /**
   * {@code METHOD[/WEIGHTS][@PROTOCOL]}: WEIGHTS is a weights label or a prefix of the weights hash, PROTOCOL a
   * protocol name. Omitted parts match anything; the latest run wins where several match.
   */
  public record Selector(String text, String method, String weights, String protocol) {
    public static Selector parse(String text) {
      String rest = text;
      String protocol = null;
      int at = rest.indexOf('@');
      if (at >= 0) {
        protocol = rest.substring(at + 1);
        rest = rest.substring(0, at);
      }
      String weights = null;
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        weights = rest.substring(slash + 1);
        rest = rest.substring(0, slash);
      }
      if (rest.isBlank() || (weights != null && weights.isBlank()) || (protocol != null && protocol.isBlank())) {
        throw new InvalidInputException("cannot read run selector '" + text + "': expected METHOD[/WEIGHTS][@PROTOCOL]");
      }
      return new Selector(text, rest, weights, protocol);
    }

    public boolean matches(StoredResult r) {
      return r.method().equals(method)
          && (weights == null || weights.equals(r.weightsLabel()) || r.weightsSha256().startsWith(weights))
          && (protocol == null || protocol.equals(r.protocolName()));
    }
  }

  /** One dataset both sides ran on (either side may be missing). */
  public record DatasetDiff(String dataset, StoredResult a, StoredResult b, List<ClassDiff> classes) {
    public Double aValue() {
      return a == null ? null : a.mIoU();
    }

    public Double bValue() {
      return b == null ? null : b.mIoU();
    }

    /** B minus A, when both exist. */
    public Double difference() {
      return aValue() == null || bValue() == null ? null : bValue() - aValue();
    }
  }

  /** Per-class IoU in percent on both sides; null where the class never occurs. */
  public record ClassDiff(String name, Double a, Double b) {
    public Double difference() {
      return a == null || b == null ? null : b - a;
    }
  }

  public static Comparison of(List<StoredResult> stored, Selector a, Selector b) {
    List<StoredResult> as = matching(stored, a);
    List<StoredResult> bs = matching(stored, b);
    TreeSet<String> datasets = new TreeSet<>();
    as.forEach(r -> datasets.add(r.dataset()));
    bs.forEach(r -> datasets.add(r.dataset()));
    List<DatasetDiff> diffs = new ArrayList<>();
    for (String d : datasets) {
      StoredResult ra = latest(as, d).orElse(null);
      StoredResult rb = latest(bs, d).orElse(null);
      diffs.add(new DatasetDiff(d, ra, rb, classes(ra, rb)));
    }
    return new Comparison(a, b, List.copyOf(diffs));
  }

  private static List<StoredResult> matching(List<StoredResult> stored, Selector s) {
    List<StoredResult> found = stored.stream().filter(s::matches).toList();
    if (found.isEmpty()) {
      TreeSet<String> available = new TreeSet<>();
      stored.forEach(r -> available.add(r.method() + "/" + r.weightsName() + "@" + r.protocolName()));
      throw new InvalidInputException("no stored result matches '" + s.text() + "'; stored runs: "
          + (available.isEmpty() ? "none" : String.join(", ", available)));
    }
    return found;
  }

  private static Optional<StoredResult> latest(List<StoredResult> results, String dataset) {
    return results.stream().filter(r -> r.dataset().equals(dataset)).max(Comparator.comparing(StoredResult::startedAt));
  }

  /** Class rows when both sides scored the same class list (same dataset spec); A's list otherwise. */
  private static List<ClassDiff> classes(StoredResult a, StoredResult b) {
    List<ClassDiff> rows = new ArrayList<>();
    if (a == null || b == null) {
      StoredResult one = a != null ? a : b;
      for (StoredResult.ClassScore c : one.classes()) {
        rows.add(new ClassDiff(c.name(), a == null ? null : percent(c.iou()), b == null ? null : percent(c.iou())));
      }
      return rows;
    }
    boolean same = a.classes().size() == b.classes().size();
    for (int i = 0; same && i < a.classes().size(); i++) {
      same = a.classes().get(i).name().equals(b.classes().get(i).name());
    }
    for (int i = 0; i < a.classes().size(); i++) {
      rows.add(new ClassDiff(a.classes().get(i).name(), percent(a.classes().get(i).iou()),
          same ? percent(b.classes().get(i).iou()) : null));
    }
    return rows;
  }

  private static Double percent(Double fraction) {
    return fraction == null ? null : 100 * fraction;
  }
}

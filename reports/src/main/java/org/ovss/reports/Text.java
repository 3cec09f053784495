package org.ovss.reports;

import java.util.Locale;
import java.util.Map;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;

/** Number formatting and escaping shared by the renderers. */
final class Text {
  /** What every format shows for a cell without a result; never 0. */
  static final String MISSING = "—";

  private Text() {}

  /** A measured percentage with two decimals, or null. */
  static String value(Double v) {
    return v == null ? null : String.format(Locale.ROOT, "%.2f", v);
  }

  /** A measured value with its standard deviation over runs when there is one ({@code 12.34 ± 0.56}), or null. */
  static String value(Double v, Double deviation) {
    return v == null || deviation == null ? value(v) : value(v) + " ± " + value(deviation);
  }

  /** A paper value as papers print it (one decimal). */
  static String paper(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** A signed difference with two decimals. */
  static String signed(Double v) {
    return v == null ? null : String.format(Locale.ROOT, "%+.2f", v);
  }

  static String orMissing(String s) {
    return s == null ? MISSING : s;
  }

  static String html(Object o) {
    String s = String.valueOf(o);
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Markdown table cell text: pipes and newlines would break the row, a {@code <} would open raw HTML. */
  static String md(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\r", " ").replace("\n", " ");
  }

  /** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. */
  static String csv(String s) {
    if (s == null) {
      return "";
    }
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }

  private static final Map<Character, String> LATEX = Map.of('&', "\\&", '%', "\\%", '$', "\\$", '#', "\\#", '_', "\\_",
      '{', "\\{", '}', "\\}", '~', "\\textasciitilde{}", '^', "\\textasciicircum{}", '\\', "\\textbackslash{}");

  static String latex(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      String r = LATEX.get(c);
      if (r != null) {
        b.append(r);
      } else if (c == '<' || c == '>' || c == '|') {
        b.append(c == '<' ? "\\textless{}" : c == '>' ? "\\textgreater{}" : "\\textbar{}");
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The distinct citations of a board's anchors, in first-use order. */
  static java.util.List<BoardDefinition.Citation> citations(BoardTable t) {
    java.util.LinkedHashSet<BoardDefinition.Citation> seen = new java.util.LinkedHashSet<>();
    t.definition().anchors().forEach(a -> seen.add(new BoardDefinition.Citation(a.citation().paper(),
        a.citation().table(), null)));
    return java.util.List.copyOf(seen);
  }
}

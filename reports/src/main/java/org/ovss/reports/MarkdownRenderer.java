package org.ovss.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Comparison;

/** GitHub-flavoured Markdown: the board as one table, paper values beside measured ones, citations below. */
public final class MarkdownRenderer implements ReportRenderer {
  @Override
  public String format() {
    return "md";
  }

  @Override
  public String render(BoardReport report) {
    BoardTable t = report.table();
    StringBuilder md = new StringBuilder();
    md.append("## ").append(t.definition().title()).append(" (").append(t.definition().metric()).append(" %)\n\n");
    md.append("| method | weights |");
    t.columns().forEach(c -> md.append(' ').append(Text.md(c.label())).append(" |"));
    md.append(" mean |\n|---|---|");
    t.columns().forEach(c -> md.append("---:|"));
    md.append("---:|\n");
    boolean anyAnchor = !t.definition().anchors().isEmpty();
    for (BoardTable.Row r : t.rows()) {
      md.append("| ").append(Text.md(r.label())).append(" | ").append(Text.md(r.weights())).append(" |");
      for (BoardTable.Cell c : r.cells()) {
        md.append(' ').append(cell(c)).append(" |");
      }
      String mean = Text.orMissing(Text.value(r.mean(), r.meanDeviation()));
      if (anyAnchor && r.paperMean() != null) {
        mean += " (paper " + Text.paper(r.paperMean()) + ")";
      }
      md.append(' ').append(mean).append(" |\n");
    }
    List<BoardDefinition.Citation> citations = Text.citations(t);
    if (!citations.isEmpty()) {
      md.append("\nPaper values in parentheses, with measured minus paper: ");
      List<String> refs = new ArrayList<>();
      citations.forEach(c -> refs.add(c.reference()));
      md.append(String.join("; ", refs)).append(".\n");
    }
    if (!report.notes().isEmpty()) {
      md.append('\n');
      report.notes().forEach(n -> md.append(n).append('\n'));
    }
    return md.toString();
  }

  private static String cell(BoardTable.Cell c) {
    String v = Text.orMissing(Text.value(c.value(), c.deviation()));
    if (c.anchor() == null) {
      return v;
    }
    String paper = "paper " + Text.paper(c.anchor().value());
    return c.value() == null ? v + " (" + paper + ")" : v + " (" + paper + ", " + Text.signed(c.difference()) + ")";
  }

  @Override
  public String render(ComparisonReport report) {
    Comparison cmp = report.comparison();
    String a = Text.md(cmp.a().text());
    String b = Text.md(cmp.b().text());
    StringBuilder md = new StringBuilder("## ").append(a).append(" vs ").append(b).append(" (mIoU %)\n\n");
    md.append("| dataset | ").append(a).append(" | ").append(b).append(" | ").append(b).append(" − ").append(a).append(" |\n");
    md.append("|---|---:|---:|---:|\n");
    for (Comparison.DatasetDiff d : cmp.datasets()) {
      md.append("| ").append(Text.md(d.dataset())).append(" | ").append(Text.orMissing(Text.value(d.aValue())))
          .append(" | ").append(Text.orMissing(Text.value(d.bValue()))).append(" | ")
          .append(Text.orMissing(Text.signed(d.difference()))).append(" |\n");
    }
    for (Comparison.DatasetDiff d : cmp.datasets()) {
      md.append("\n### ").append(Text.md(d.dataset())).append(": per-class IoU\n\n");
      md.append("| class | ").append(a).append(" | ").append(b).append(" | difference |\n|---|---:|---:|---:|\n");
      for (Comparison.ClassDiff c : d.classes()) {
        md.append("| ").append(Text.md(c.name())).append(" | ").append(Text.orMissing(Text.value(c.a()))).append(" | ")
            .append(Text.orMissing(Text.value(c.b()))).append(" | ").append(Text.orMissing(Text.signed(c.difference())))
            .append(" |\n");
      }
    }
    if (!report.disagreements().isEmpty()) {
      md.append("\n### Images where they disagree most\n\n| dataset | image | pixels predicted differently |\n|---|---|---:|\n");
      for (ComparisonReport.Disagreement d : report.disagreements()) {
        md.append("| ").append(Text.md(d.dataset())).append(" | ").append(Text.md(d.imageId())).append(" | ")
            .append(String.format(Locale.ROOT, "%.1f%%", 100 * d.fraction())).append(" |\n");
      }
    }
    return md.toString();
  }
}

package org.ovss.reports;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ovss.leaderboards.BoardDefinition;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Comparison;
import org.ovss.leaderboards.StoredResult;

/**
 * One self-contained HTML file: inline CSS and JS, images as data: URIs, charts as inline SVG, so the report can
 * be mailed or attached as it is. Tables sort by clicking a header (missing values always last). Every string from
 * results or definitions is escaped.
 */
public final class HtmlRenderer implements ReportRenderer {
  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1280px}
      h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #dde;padding-bottom:4px}
      table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #e4e6ee;text-align:left}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f4f8;cursor:pointer;user-select:none}
      th[data-dir=asc]::after{content:" \\25B2"}th[data-dir=desc]::after{content:" \\25BC"}
      td.best{font-weight:700}td.missing{color:#999}.paper{display:block;font-size:11px;color:#667}
      .neg{color:#b3261e}.pos{color:#1a7f37}.charts{display:flex;flex-wrap:wrap;gap:16px}
      figure{margin:0;border:1px solid #e4e6ee;padding:8px;border-radius:6px}figcaption{font-weight:600;margin-bottom:4px}
      .overlays{display:flex;flex-wrap:wrap;gap:12px}.overlay{border:1px solid #e4e6ee;padding:6px;border-radius:6px}
      .overlay img{image-rendering:pixelated;width:128px;height:auto;display:block}.panels{display:flex;gap:4px}
      .panel span{font-size:11px;color:#556}pre{background:#f6f7fa;padding:8px;overflow:auto;font-size:12px}
      .muted{color:#667;font-size:12px}
      """;

  private static final String JS = """
      (function(){
        function key(td){var v=td.getAttribute('data-value');return v===null||v===''?null:v;}
        document.querySelectorAll('table.sortable').forEach(function(table){
          table.querySelectorAll('thead th').forEach(function(th){
            th.addEventListener('click',function(){
              var i=th.cellIndex,body=table.tBodies[0],asc=th.getAttribute('data-dir')!=='asc';
              table.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('data-dir');});
              th.setAttribute('data-dir',asc?'asc':'desc');
              var rows=Array.prototype.slice.call(body.rows);
              rows.sort(function(a,b){
                var x=key(a.cells[i]),y=key(b.cells[i]);
                if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;
                var fx=parseFloat(x),fy=parseFloat(y);
                var c=(!isNaN(fx)&&!isNaN(fy))?fx-fy:x.localeCompare(y);
                return asc?c:-c;});
              rows.forEach(function(r){body.appendChild(r);});
            });
          });
          table.setAttribute('data-sortable','ready');
        });
      })();
      """;

  @Override
  public String format() {
    return "html";
  }

  @Override
  public String render(BoardReport report) {
    BoardTable t = report.table();
    BoardDefinition def = t.definition();
    StringBuilder h = new StringBuilder();
    head(h, def.title());
    h.append("<h1>").append(Text.html(def.title())).append("</h1>\n");
    if (!def.description().isEmpty()) {
      h.append("<p>").append(Text.html(def.description())).append("</p>\n");
    }
    h.append("<p class=\"muted\">Board <code>").append(Text.html(def.name())).append("</code>, metric ")
        .append(Text.html(def.metric())).append(" (%), generated ").append(Text.html(report.generatedAt()))
        .append(". Missing cells show ").append(Text.MISSING).append(".</p>\n");
    boardTable(h, t);
    citations(h, t);
    if (!report.notes().isEmpty()) {
      h.append("<h2>Notes</h2>\n");
      report.notes().forEach(n -> h.append("<p>").append(Text.html(n)).append("</p>\n"));
    }
    h.append("<h2>Per-class IoU</h2>\n");
    for (int ci = 0; ci < t.columns().size(); ci++) {
      BoardDefinition.Column c = t.columns().get(ci);
      int column = ci;
      List<BoardTable.Row> measured = t.rows().stream().filter(r -> r.cells().get(column).result() != null).toList();
      if (measured.isEmpty()) {
        continue;
      }
      h.append("<h3>").append(Text.html(c.label())).append(" <span class=\"muted\">(").append(Text.html(c.dataset()))
          .append(", protocol ").append(Text.html(c.protocol())).append(")</span></h3>\n<div class=\"charts\">\n");
      for (BoardTable.Row r : measured) {
        StoredResult res = r.cells().get(column).result();
        h.append("<figure class=\"chart\"><figcaption>").append(Text.html(r.label())).append(" · ").append(Text.html(r.weights()))
            .append("</figcaption>\n");
        List<Bar> bars = new ArrayList<>();
        res.classes().forEach(k -> bars.add(new Bar(k.name(), k.iou() == null ? null : 100 * k.iou())));
        barChart(h, bars);
        h.append("</figure>\n");
      }
      h.append("</div>\n");
    }
    if (report.overlays().values().stream().anyMatch(l -> !l.isEmpty())) {
      h.append("<h2>Qualitative results</h2>\n<p class=\"muted\">Per method: image, ground truth, prediction.</p>\n");
      for (BoardTable.Row r : t.rows()) {
        List<Overlay> overlays = report.overlays().getOrDefault(r.key(), List.of());
        if (overlays.isEmpty()) {
          continue;
        }
        h.append("<h3>").append(Text.html(r.label())).append(" · ").append(Text.html(r.weights())).append("</h3>\n");
        overlays(h, overlays);
      }
    }
    protocols(h, t.results());
    provenance(h, t.results());
    tail(h);
    return h.toString();
  }

  private static void boardTable(StringBuilder h, BoardTable t) {
    h.append("<table class=\"sortable board\" id=\"board\">\n<thead><tr><th>method</th><th>weights</th>");
    t.columns().forEach(c -> h.append("<th class=\"num\" title=\"").append(Text.html(c.dataset() + " / " + c.protocol()))
        .append("\">").append(Text.html(c.label())).append("</th>"));
    h.append("<th class=\"num\">mean</th></tr></thead>\n<tbody>\n");
    Double[] best = new Double[t.columns().size()];
    for (int i = 0; i < best.length; i++) {
      best[i] = t.best(i);
    }
    for (BoardTable.Row r : t.rows()) {
      h.append("<tr class=\"board-row\" data-method=\"").append(Text.html(r.method())).append("\"><td data-value=\"")
          .append(Text.html(r.label())).append("\">").append(Text.html(r.label())).append("</td><td data-value=\"")
          .append(Text.html(r.weights())).append("\">").append(Text.html(r.weights())).append("</td>");
      for (int i = 0; i < r.cells().size(); i++) {
        BoardTable.Cell c = r.cells().get(i);
        String v = Text.value(c.value());
        String cls = v == null ? "num missing" : best[i] != null && Text.value(best[i]).equals(v) ? "num best" : "num";
        h.append("<td class=\"").append(cls).append("\" data-value=\"").append(v == null ? "" : v).append("\">")
            .append(Text.orMissing(Text.value(c.value(), c.deviation())));
        if (c.anchor() != null) {
          BoardDefinition.Citation cite = c.anchor().citation();
          String title = cite.shortForm() + (cite.note() == null ? "" : "; " + cite.note());
          h.append("<span class=\"paper\" title=\"").append(Text.html(title)).append("\">paper ")
              .append(Text.paper(c.anchor().value()));
          if (c.difference() != null) {
            h.append(" <span class=\"").append(c.difference() < 0 ? "neg" : "pos").append("\">")
                .append(Text.signed(c.difference())).append("</span>");
          }
          h.append("</span>");
        }
        h.append("</td>");
      }
      String mean = Text.value(r.mean());
      h.append("<td class=\"num").append(mean == null ? " missing" : "").append("\" data-value=\"")
          .append(mean == null ? "" : mean).append("\">").append(Text.orMissing(Text.value(r.mean(), r.meanDeviation())))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void citations(StringBuilder h, BoardTable t) {
    List<BoardDefinition.Citation> citations = Text.citations(t);
    if (citations.isEmpty()) {
      return;
    }
    h.append("<p class=\"muted\">Paper values (with measured minus paper) from: ");
    List<String> refs = new ArrayList<>();
    citations.forEach(c -> refs.add(Text.html(c.reference())));
    h.append(String.join("; ", refs)).append(". Hover a paper value for its note.</p>\n");
  }

  /** A bar of a chart: label and value in percent (null: the class never occurs, drawn as n/a). */
  private record Bar(String label, Double value) {}

  /** A horizontal bar chart, 0 to 100 %, one bar per class; a class without IoU gets a label but no bar. */
  private static void barChart(StringBuilder h, List<Bar> bars) {
    int labelWidth = 130;
    int plot = 220;
    int rowHeight = 16;
    int height = bars.size() * rowHeight + 20;
    h.append("<svg class=\"iou-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(labelWidth + plot + 50)
        .append("\" height=\"").append(height).append("\" role=\"img\">\n");
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      int y = i * rowHeight + 4;
      String label = b.label().length() > 20 ? b.label().substring(0, 19) + "…" : b.label();
      h.append("<text x=\"").append(labelWidth - 4).append("\" y=\"").append(y + 11)
          .append("\" font-size=\"11\" text-anchor=\"end\"><title>").append(Text.html(b.label())).append("</title>")
          .append(Text.html(label)).append("</text>");
      if (b.value() == null) {
        h.append("<text x=\"").append(labelWidth + 2).append("\" y=\"").append(y + 11)
            .append("\" font-size=\"11\" fill=\"#999\">n/a</text>\n");
        continue;
      }
      double w = Math.max(0, Math.min(100, b.value())) / 100 * plot;
      h.append("<rect class=\"bar\" x=\"").append(labelWidth).append("\" y=\"").append(y).append("\" width=\"")
          .append(String.format(Locale.ROOT, "%.1f", w)).append("\" height=\"").append(rowHeight - 4)
          .append("\" fill=\"#4c72b0\"><title>").append(Text.html(b.label())).append(": ").append(Text.value(b.value()))
          .append("</title></rect>").append("<text x=\"").append(String.format(Locale.ROOT, "%.1f", labelWidth + w + 3))
          .append("\" y=\"").append(y + 11).append("\" font-size=\"11\">").append(Text.value(b.value())).append("</text>\n");
    }
    int axis = bars.size() * rowHeight + 6;
    h.append("<line x1=\"").append(labelWidth).append("\" x2=\"").append(labelWidth + plot).append("\" y1=\"").append(axis)
        .append("\" y2=\"").append(axis).append("\" stroke=\"#889\"/><text x=\"").append(labelWidth + plot)
        .append("\" y=\"").append(axis + 12).append("\" font-size=\"10\" text-anchor=\"end\">100</text></svg>\n");
  }

  private static void overlays(StringBuilder h, List<Overlay> overlays) {
    h.append("<div class=\"overlays\">\n");
    for (Overlay o : overlays) {
      h.append("<div class=\"overlay\"><div class=\"muted\">").append(Text.html(o.dataset())).append(" · ")
          .append(Text.html(o.imageId())).append(o.caption() == null ? "" : " · " + Text.html(o.caption()))
          .append("</div><div class=\"panels\">");
      for (Overlay.Panel p : o.panels()) {
        h.append("<div class=\"panel\"><img alt=\"").append(Text.html(p.label() + " " + o.imageId()))
            .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(p.png()))
            .append("\"><span>").append(Text.html(p.label())).append("</span></div>");
      }
      h.append("</div></div>\n");
    }
    h.append("</div>\n");
  }

  private static void protocols(StringBuilder h, List<StoredResult> results) {
    Map<String, StoredResult> byHash = new LinkedHashMap<>();
    results.forEach(r -> byHash.putIfAbsent(r.protocolSha256(), r));
    if (byHash.isEmpty()) {
      return;
    }
    h.append("<h2>Protocols</h2>\n");
    for (StoredResult r : byHash.values()) {
      h.append("<details class=\"protocol\"><summary>").append(Text.html(r.protocolName())).append(" on ")
          .append(Text.html(r.dataset())).append(" · <code>").append(Text.html(r.protocolSha256().substring(0, 12)))
          .append("</code></summary>");
      if (r.json().hasNonNull("protocolCitation")) {
        h.append("<p class=\"muted\">").append(Text.html(r.json().get("protocolCitation").asText())).append("</p>");
      }
      h.append("<pre>").append(Text.html(r.json().path("protocol").toPrettyString()))
          .append("</pre></details>\n");
    }
  }

  private static void provenance(StringBuilder h, List<StoredResult> results) {
    if (results.isEmpty()) {
      return;
    }
    h.append("<h2>Provenance</h2>\n<table class=\"sortable provenance\"><thead><tr><th>method</th><th>weights</th>"
        + "<th>weights sha256</th><th>dataset</th><th class=\"num\">images</th><th>protocol</th><th>started</th>"
        + "<th class=\"num\">seconds</th><th>commit</th><th>machine</th><th>source</th></tr></thead><tbody>\n");
    for (StoredResult r : results) {
      var p = r.json().path("provenance");
      var m = p.path("machine");
      String machine = m.path("os").asText("") + " " + m.path("arch").asText("") + ", " + m.path("cores").asText("?")
          + " cores, " + m.path("java").asText("");
      String seconds = p.path("wallSeconds").isNumber() ? String.format(Locale.ROOT, "%.1f", p.path("wallSeconds").asDouble()) : "";
      h.append("<tr>").append(td(r.method())).append(td(r.weightsName())).append(td(r.weightsSha256().substring(0, 12)))
          .append(td(r.dataset())).append("<td class=\"num\" data-value=\"").append(r.images()).append("\">").append(r.images())
          .append("</td>").append(td(r.protocolName() + " " + r.protocolSha256().substring(0, 12))).append(td(r.startedAt()))
          .append("<td class=\"num\" data-value=\"").append(seconds).append("\">").append(seconds).append("</td>")
          .append(td(p.path("gitCommit").asText("").substring(0, Math.min(12, p.path("gitCommit").asText("").length()))))
          .append(td(machine)).append(td(r.source().toString())).append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static String td(String s) {
    return "<td data-value=\"" + Text.html(s) + "\">" + Text.html(s) + "</td>";
  }

  private static void head(StringBuilder h, String title) {
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Text.html(title))
        .append("</title>\n<meta name=\"viewport\" content=\"width=device-width\">\n<style>").append(CSS)
        .append("</style></head>\n<body>\n");
  }

  private static void tail(StringBuilder h) {
    h.append("<script>").append(JS).append("</script>\n</body></html>\n");
  }

  @Override
  public String render(ComparisonReport report) {
    Comparison cmp = report.comparison();
    String a = cmp.a().text();
    String b = cmp.b().text();
    StringBuilder h = new StringBuilder();
    head(h, a + " vs " + b);
    h.append("<h1>").append(Text.html(a)).append(" vs ").append(Text.html(b)).append("</h1>\n<p class=\"muted\">Generated ")
        .append(Text.html(report.generatedAt())).append(". Differences are ").append(Text.html(b)).append(" minus ")
        .append(Text.html(a)).append(".</p>\n");
    h.append("<table class=\"sortable comparison\" id=\"datasets\"><thead><tr><th>dataset</th><th class=\"num\">")
        .append(Text.html(a)).append("</th><th class=\"num\">").append(Text.html(b))
        .append("</th><th class=\"num\">difference</th></tr></thead><tbody>\n");
    for (Comparison.DatasetDiff d : cmp.datasets()) {
      h.append("<tr class=\"dataset-row\">").append(td(d.dataset())).append(num(d.aValue())).append(num(d.bValue()))
          .append(signedCell(d.difference())).append("</tr>\n");
    }
    h.append("</tbody></table>\n");
    for (Comparison.DatasetDiff d : cmp.datasets()) {
      h.append("<h2>").append(Text.html(d.dataset())).append(": per-class IoU</h2>\n<div class=\"charts\">");
      h.append("<figure class=\"chart\"><figcaption>").append(Text.html(a)).append("</figcaption>");
      List<Bar> as = new ArrayList<>();
      d.classes().forEach(c -> as.add(new Bar(c.name(), c.a())));
      barChart(h, as);
      h.append("</figure><figure class=\"chart\"><figcaption>").append(Text.html(b)).append("</figcaption>");
      List<Bar> bs = new ArrayList<>();
      d.classes().forEach(c -> bs.add(new Bar(c.name(), c.b())));
      barChart(h, bs);
      h.append("</figure></div>\n<table class=\"sortable classes\"><thead><tr><th>class</th><th class=\"num\">")
          .append(Text.html(a)).append("</th><th class=\"num\">").append(Text.html(b))
          .append("</th><th class=\"num\">difference</th></tr></thead><tbody>\n");
      for (Comparison.ClassDiff c : d.classes()) {
        h.append("<tr>").append(td(c.name())).append(num(c.a())).append(num(c.b())).append(signedCell(c.difference()))
            .append("</tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    if (!report.disagreements().isEmpty()) {
      h.append("<h2>Images where they disagree most</h2>\n<p class=\"muted\">Image, ground truth, ").append(Text.html(a))
          .append(", ").append(Text.html(b)).append("; the caption gives the share of pixels predicted differently.</p>\n");
      overlays(h, report.disagreements().stream().map(ComparisonReport.Disagreement::overlay).toList());
    }
    List<StoredResult> results = new ArrayList<>();
    cmp.datasets().forEach(d -> {
      if (d.a() != null) {
        results.add(d.a());
      }
      if (d.b() != null) {
        results.add(d.b());
      }
    });
    protocols(h, results);
    provenance(h, results);
    tail(h);
    return h.toString();
  }

  private static String num(Double v) {
    String s = Text.value(v);
    return "<td class=\"num" + (s == null ? " missing" : "") + "\" data-value=\"" + (s == null ? "" : s) + "\">"
        + Text.orMissing(s) + "</td>";
  }

  private static String signedCell(Double v) {
    String s = Text.signed(v);
    String cls = v == null ? " missing" : v < 0 ? " neg" : " pos";
    return "<td class=\"num" + cls + "\" data-value=\"" + (s == null ? "" : Text.value(v)) + "\">" + Text.orMissing(s) + "</td>";
  }
}

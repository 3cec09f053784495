package org.ovss.reports;

import java.util.List;
import java.util.Locale;

/**
 * The page of {@code ovss segment --html}: every image beside its overlay, with the legend of the classes present
 * (colour, name, pixel share, mean confidence) as text, and the images that could not be read named. Images are
 * linked by relative address (the page lives in the output folder beside the overlays), not embedded, so a page
 * over thousands of images stays small.
 */
public final class SegmentPage {
  private SegmentPage() {}

  /** One legend line. */
  public record LegendRow(String name, int[] rgb, double share, double meanConfidence) {}

  /**
   * One input image.
   *
   * @param imageHref address of the image relative to the page
   * @param overlayHref address of the overlay, or null when the image failed
   * @param error why the image failed, or null
   */
  public record Entry(String name, String imageHref, String overlayHref, List<LegendRow> legend, String error) {}

  /** The page as one HTML document. */
  public static String render(String title, List<String> facts, List<Entry> entries) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Text.html(title))
        .append("</title>\n<style>body{font-family:sans-serif;margin:1.5em}figure{display:inline-block;margin:0 1em 0 0;"
            + "vertical-align:top}img{max-width:480px;height:auto;border:1px solid #ccc}section{margin:0 0 2em}"
            + "table{border-collapse:collapse;display:inline-table;vertical-align:top}td{padding:2px 8px}"
            + ".swatch{display:inline-block;width:1em;height:1em;border:1px solid #444;vertical-align:middle}"
            + ".error{color:#b00}</style></head>\n<body>\n<h1>").append(Text.html(title)).append("</h1>\n<ul>");
    for (String f : facts) {
      b.append("<li>").append(Text.html(f)).append("</li>");
    }
    b.append("</ul>\n");
    for (Entry e : entries) {
      b.append("<section class=\"segment-image\"><h2>").append(Text.html(e.name())).append("</h2>\n");
      if (e.error() != null) {
        b.append("<p class=\"error\">").append(Text.html(e.error())).append("</p></section>\n");
        continue;
      }
      b.append("<figure><img class=\"input\" alt=\"image\" src=\"").append(Text.html(e.imageHref()))
          .append("\"><figcaption>image</figcaption></figure><figure><img class=\"overlay\" alt=\"overlay\" src=\"")
          .append(Text.html(e.overlayHref())).append("\"><figcaption>overlay</figcaption></figure>\n")
          .append("<table class=\"legend\"><tr><th></th><th>class</th><th>pixels</th><th>confidence</th></tr>");
      for (LegendRow r : e.legend()) {
        b.append(String.format(Locale.ROOT,
            "<tr class=\"legend-row\"><td><span class=\"swatch\" style=\"background:rgb(%d,%d,%d)\"></span></td>"
                + "<td>%s</td><td>%.1f%%</td><td>%.2f</td></tr>",
            r.rgb()[0], r.rgb()[1], r.rgb()[2], Text.html(r.name()), 100 * r.share(), r.meanConfidence()));
      }
      b.append("</table></section>\n");
    }
    // Marks the images that decoded, so a headless browser's DOM shows whether every link resolved.
    b.append("<script>window.addEventListener('load',function(){var n=0;document.querySelectorAll('img')"
        + ".forEach(function(i){if(i.complete&&i.naturalWidth>0)n++;});document.body.setAttribute('data-loaded',n);});"
        + "</script>\n</body></html>\n");
    return b.toString();
  }
}

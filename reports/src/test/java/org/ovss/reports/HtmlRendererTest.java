package org.ovss.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report as text: self-contained, escaped, missing cells missing. The browser test is HtmlInChromiumTest. */
class HtmlRendererTest {
  @TempDir Path dir;

  @Test
  void escapesEveryNameFromResultsAndNotes() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    assertThat(html).doesNotContain(ReportFixtures.NASTY_CLASS).doesNotContain("<b>cat").doesNotContain("<i>&</i>")
        .doesNotContain("<tag>");
    assertThat(html).contains("&lt;b&gt;cat &amp; &quot;dog&quot;, &#39;x&#39; | 50% _y_&lt;/b&gt;");
    assertThat(html).contains("Mine &lt;i&gt;&amp;&lt;/i&gt; &quot;Co&quot;, 100%_#");
    assertThat(html).contains("note with &lt;tag&gt; &amp; &quot;quotes&quot;");
  }

  @Test
  void protocolsShowTheirCitationBesideTheHash() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.sclipBoard(dir)));
    assertThat(html).containsPattern("<details class=\"protocol\"><summary>sclip on voc21 · <code>[0-9a-f]{12}</code>"
        + "</summary><p class=\"muted\">cited as &lt;sclip&gt;</p><pre>");
  }

  @Test
  void isOneSelfContainedFile() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>").contains("<script>");
    assertThat(html).doesNotContain("<link").doesNotContain("src=\"http").doesNotContain("href=\"http")
        .doesNotContain("<script src");
    assertThat(count(html, "<img [^>]*src=\"data:image/png;base64,")).as("2 overlays x 3 panels").isEqualTo(6);
  }

  @Test
  void tableCellsHoldTheirValuesAndMissingCellsAreMarkedNotZero() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    assertThat(count(html, "<tr class=\"board-row\"")).isEqualTo(4);
    String groupvit = row(html, "groupvit");
    assertThat(groupvit).contains("data-value=\"7.50\">7.50</td>").contains("data-value=\"6.50\">6.50</td>");
    assertThat(count(groupvit, "<td class=\"num missing\" data-value=\"\">—</td>")).as("synth-stuff and mean").isEqualTo(2);
    assertThat(groupvit).doesNotContain(">0.00<");
    assertThat(row(html, "sclip")).contains("<td class=\"num best\" data-value=\"61.25\">61.25</td>");
  }

  @Test
  void drawsOneBarPerScoredClassAndNoBarForAClassThatNeverOccurs() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    // 9 results; the two with three classes (one of CLIP's has no IoU), the rest the fixture's two classes.
    assertThat(count(html, "<svg class=\"iou-chart\"")).isEqualTo(9);
    assertThat(count(html, "<rect class=\"bar\"")).isEqualTo(3 + 2 + 7 * 2);
    assertThat(html).contains(">n/a</text>");
  }

  @Test
  void sclipBoardShowsPaperValuesWithCitationAndDifference() {
    String html = Renderers.get("html").render(ReportFixtures.report(ReportFixtures.sclipBoard(dir)));
    assertThat(html).contains("58.10<span class=\"paper\" title=\"SCLIP (Wang et al. 2024), Table 1\">paper 59.1 "
        + "<span class=\"neg\">-1.00</span></span>");
    assertThat(html).contains("<td class=\"num missing\" data-value=\"\">—<span class=\"paper\"");
    assertThat(html).contains("from: Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense Vision-Language"
        + " Inference. ECCV 2024 (arXiv:2312.01597), Table 1. Hover").doesNotContainPattern("(shared|seeds)[/]");
  }

  @Test
  void comparisonShowsBothSidesDifferencesAndDisagreements() {
    ComparisonReport report = new ComparisonReport(ReportFixtures.comparison(dir), "now",
        List.of(new ComparisonReport.Disagreement("synth-shapes", "val_0007", 0.25, ReportFixtures.overlay("val_0007"))));
    String html = Renderers.get("html").render(report);
    assertThat(count(html, "<tr class=\"dataset-row\"")).isEqualTo(3);
    assertThat(html).contains("<td class=\"num pos\" data-value=\"27.92\">+27.92</td>");
    assertThat(html).contains("Images where they disagree most").contains("val_0007");
    String md = Renderers.get("md").render(report);
    assertThat(md).contains("| synth-shapes | 33.33 | 61.25 | +27.92 |").contains("| synth-shapes | val_0007 | 25.0% |");
  }

  private static String row(String html, String method) {
    Matcher m = Pattern.compile("<tr class=\"board-row\" data-method=\"" + method + "\">.*?</tr>").matcher(html);
    assertThat(m.find()).as("row of " + method).isTrue();
    return m.group();
  }

  static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}

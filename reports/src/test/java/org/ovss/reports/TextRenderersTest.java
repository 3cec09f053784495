package org.ovss.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;
import org.ovss.leaderboards.BoardTable;

/** Markdown, CSV, LaTeX and JSON on result fixtures: numbers where they belong, missing never 0, names escaped. */
class TextRenderersTest {
  @TempDir Path dir;

  @Test
  void everyFormatIsAServiceLoaderPluginFoundByName() {
    assertThat(Renderers.all()).extracting(ReportRenderer::format).containsExactlyInAnyOrder("md", "html", "csv", "tex", "json");
    assertThatThrownBy(() -> Renderers.get("pdf")).isInstanceOf(UnknownNameException.class)
        .hasMessageContaining("csv, html, json, md, tex");
    assertThatThrownBy(() -> Renderers.get("tex").render(new ComparisonReport(ReportFixtures.comparison(dir), "now",
        List.of()))).isInstanceOf(InvalidInputException.class).hasMessageContaining("no comparison view");
  }

  @Test
  void markdownPutsEachValueInItsRowAndColumnAndShowsMissingCells() {
    String md = Renderers.get("md").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    assertThat(md).contains("| method | weights | synth-shapes | synth-shapes-bg | synth-stuff | mean |");
    assertThat(md).contains("| SCLIP | trained | 61.25 | 51.00 | 41.00 | 51.08 |");
    assertThat(md).contains("| CLIP (dense, vanilla) | trained | 33.33 | 22.00 | 11.00 | 22.11 |");
    assertThat(md).contains("| GroupViT | untrained | 7.50 | 6.50 | — | — |");
    assertThat(md.indexOf("| SCLIP |")).isLessThan(md.indexOf("| CLIP (dense")).isLessThan(md.indexOf("| GroupViT |"));
    assertThat(md).as("a pipe would split the row, a tag would be HTML").contains("| Mine &lt;i>&&lt;/i> \"Co\", 100%_# \\|x | v1 | 1.00 | — | — | — |");
    assertThat(md).contains("note with <tag>");
  }

  @Test
  void boardsAcrossSeedsShowMeanAndDeviationInMarkdownHtmlAndJson() {
    BoardTable first = ReportFixtures.synthBoard(dir.resolve("seed-0"));
    BoardTable second = ReportFixtures.synthBoard(dir.resolve("seed-1"));
    BoardTable across = BoardTable.acrossRuns(List.of(first, second));
    BoardReport report = new BoardReport(across, "2026-01-01T00:00:00Z", List.of(), java.util.Map.of());
    // Two identical seeds: every deviation is 0.
    assertThat(Renderers.get("md").render(report))
        .contains("| SCLIP | trained | 61.25 ± 0.00 | 51.00 ± 0.00 | 41.00 ± 0.00 | 51.08 ± 0.00 |")
        .contains("| GroupViT | untrained | 7.50 ± 0.00 | 6.50 ± 0.00 | — | — |");
    assertThat(Renderers.get("html").render(report)).contains("data-value=\"61.25\">61.25 ± 0.00</td>");
    assertThat(Renderers.get("json").render(report)).contains("\"deviation\" : 0.0").contains("\"meanDeviation\" : 0.0");
    assertThat(Renderers.get("md").render(ReportFixtures.report(first))).as("one run: no deviations").doesNotContain("±");
  }

  @Test
  void markdownShowsPaperValuesWithDifferencesAndCitation() {
    String md = Renderers.get("md").render(ReportFixtures.report(ReportFixtures.sclipBoard(dir)));
    assertThat(md).contains("| SCLIP | ").contains(" 58.10 (paper 59.1, -1.00) | — (paper 30.4) |");
    assertThat(md).contains("16.60 (paper 16.1, +0.50)");
    assertThat(md).contains("| MaskCLIP |").doesNotContain("| maskclip |");
    assertThat(md).contains("\nPaper values in parentheses, with measured minus paper: Wang, Mei, Yuille. SCLIP:"
        + " Rethinking Self-Attention for Dense Vision-Language Inference. ECCV 2024 (arXiv:2312.01597), Table 1.\n");
    assertThat(md).doesNotContainPattern("(shared|seeds)[/]");
  }

  @Test
  void csvQuotesPerRfc4180AndLeavesMissingFieldsEmpty() {
    String csv = Renderers.get("csv").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    List<String> lines = List.of(csv.split("\r\n", -1));
    assertThat(lines.get(0)).isEqualTo("method,method_id,weights,synth-shapes,synth-shapes-bg,synth-stuff,mean");
    assertThat(lines).contains("SCLIP,sclip,trained,61.25,51.00,41.00,51.08");
    assertThat(lines).contains("GroupViT,groupvit,untrained,7.50,6.50,,");
    assertThat(lines).contains("\"Mine <i>&</i> \"\"Co\"\", 100%_# |x\",mine,v1,1.00,,,");
    assertThat(csv).endsWith("\r\n");
  }

  @Test
  void latexUsesBooktabsBoldsTheBestOfEachColumnAndEscapesNames() {
    String tex = Renderers.get("tex").render(ReportFixtures.report(ReportFixtures.synthBoard(dir)));
    assertThat(tex).contains("\\toprule", "\\midrule", "\\bottomrule", "\\begin{tabular}{llrrrr}");
    assertThat(tex).contains("SCLIP & trained & \\textbf{61.25} & \\textbf{51.00} & \\textbf{41.00} & \\textbf{51.08} \\\\");
    assertThat(tex).contains("GroupViT & untrained & 7.50 & 6.50 & -- & -- \\\\");
    assertThat(tex).contains("Mine \\textless{}i\\textgreater{}\\&\\textless{}/i\\textgreater{} \"Co\", 100\\%\\_\\# \\textbar{}x");
    String sclip = Renderers.get("tex").render(ReportFixtures.report(ReportFixtures.sclipBoard(dir.resolve("s"))));
    assertThat(sclip).contains("SCLIP & paper & 59.1 & 30.4 & 30.5 & 80.4 & 32.2 & 34.2 & 16.1 & 22.4 & 38.2 \\\\");
    assertThat(sclip).contains("SegCLIP & paper & 52.6 & 24.7 & 26.5 & -- & -- & -- & -- & -- & -- \\\\");
    assertThat(sclip).contains(" Paper values: Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense"
        + " Vision-Language Inference. ECCV 2024 (arXiv:2312.01597), Table 1.}");
  }

  @Test
  void jsonCarriesValuesNullsPaperValuesAndKeys() throws Exception {
    BoardTable t = ReportFixtures.sclipBoard(dir);
    JsonNode root = new ObjectMapper().readTree(Renderers.get("json").render(ReportFixtures.report(t)));
    assertThat(root.get("board").asText()).isEqualTo("sclip-8");
    JsonNode sclip = null;
    for (JsonNode r : root.get("rows")) {
      if (r.get("method").asText().equals("sclip")) {
        sclip = r;
      }
    }
    assertThat(sclip).isNotNull();
    JsonNode voc = sclip.get("cells").get("voc21");
    assertThat(voc.get("value").asDouble()).isEqualTo(58.1);
    assertThat(voc.get("paper").asDouble()).isEqualTo(59.1);
    assertThat(voc.get("citation").get("table").asText()).isEqualTo("Table 1");
    assertThat(voc.get("citation").get("paper").asText()).isEqualTo("sclip-2024");
    assertThat(voc.get("citation").get("reference").asText()).isEqualTo("Wang, Mei, Yuille. SCLIP: Rethinking"
        + " Self-Attention for Dense Vision-Language Inference. ECCV 2024 (arXiv:2312.01597)");
    assertThat(voc.get("result").get("protocolSha256").asText()).hasSize(64);
    assertThat(sclip.get("cells").get("voc20").get("value").isNull()).isTrue();
    assertThat(sclip.get("mean").isNull()).isTrue();
  }
}

package org.ovss.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened in headless Chromium: a screenshot that is not blank, and the DOM after the page's
 * script ran with the board rows, the sortable tables marked ready and the chart bars. CI installs Chromium
 * ({@code .ci/run}); without it this test fails, unless {@code -Dovss.chromium.skip=true} (README) skips it.
 */
class HtmlInChromiumTest {
  @TempDir Path dir;

  @Test
  void reportRendersInChromiumWithTablesAndCharts() throws Exception {
    String chromium = chromium();
    Path page = dir.resolve("report.html");
    Files.writeString(page, Renderers.get("html").render(ReportFixtures.report(ReportFixtures.synthBoard(dir.resolve("results")))));

    String dom = run(chromium, dir.resolve("profile-dom"), "--dump-dom", page.toUri().toString());
    assertThat(HtmlRendererTest.count(dom, "<tr class=\"board-row\"")).isEqualTo(4);
    assertThat(dom).as("the inline script ran").contains("data-sortable=\"ready\"");
    assertThat(HtmlRendererTest.count(dom, "<svg class=\"iou-chart\"")).isEqualTo(9);
    assertThat(HtmlRendererTest.count(dom, "<rect class=\"bar\"")).isEqualTo(19);
    assertThat(HtmlRendererTest.count(dom, "<img [^>]*src=\"data:image/png")).isEqualTo(6);

    Path shot = dir.resolve("shot.png");
    run(chromium, dir.resolve("profile-shot"), "--screenshot=" + shot, "--window-size=1280,1600", page.toUri().toString());
    BufferedImage img = ImageIO.read(shot.toFile());
    assertThat(img).as("screenshot decodes").isNotNull();
    assertThat(img.getWidth()).isEqualTo(1280);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 4) {
      for (int x = 0; x < img.getWidth(); x += 4) {
        colours.add(img.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours: text, table rules, bars, overlays").isGreaterThan(20);
  }

  static String chromium() {
    for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    if (Boolean.getBoolean("ovss.chromium.skip")) {
      Assumptions.abort("chromium not installed and -Dovss.chromium.skip=true");
    }
    throw new AssertionError("chromium is not installed: install it (Debian: apt-get install -y chromium; .ci/run does)"
        + " or skip this test locally with -Dovss.chromium.skip=true");
  }

  static String run(String chromium, Path profile, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
    cmd.addAll(List.of(args));
    Path out = profile.resolveSibling(profile.getFileName() + ".out");
    Path err = profile.resolveSibling(profile.getFileName() + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(err, StandardCharsets.UTF_8));
    }
    assertThat(p.exitValue()).as("chromium exit status; stderr: " + Files.readString(err, StandardCharsets.UTF_8)).isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}

package org.ovss.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ovss segment --html} page opened in headless Chromium: every image and overlay link resolves and
 * decodes (the page's script counts them), each legend row is there, the unreadable image is named, and the
 * screenshot shows the images' colours.
 */
class SegmentPageInChromiumTest {
  @TempDir Path dir;

  @Test
  void everyImageOverlayAndLegendShows() throws Exception {
    String chromium = HtmlInChromiumTest.chromium();
    Path photos = Files.createDirectories(dir.resolve("my photos"));
    Path out = Files.createDirectories(dir.resolve("out"));
    png(photos.resolve("cat #1.png"), 0x2080c0);
    png(out.resolve("cat #1.overlay.png"), 0xc02020);
    png(photos.resolve("dog.png"), 0x20c040);
    png(out.resolve("dog.overlay.png"), 0xe0e020);
    List<SegmentPage.Entry> entries = List.of(
        new SegmentPage.Entry("cat #1.png", "../my%20photos/cat%20%231.png", "cat%20%231.overlay.png", List.of(
            new SegmentPage.LegendRow("cat", new int[] {128, 0, 0}, 0.75, 0.61),
            new SegmentPage.LegendRow("<grass>", new int[] {0, 128, 0}, 0.25, 0.4)), null),
        new SegmentPage.Entry("broken.jpg", null, null, List.of(), "image broken.jpg is truncated"),
        new SegmentPage.Entry("dog.png", "../my%20photos/dog.png", "dog.overlay.png", List.of(
            new SegmentPage.LegendRow("dog", new int[] {0, 128, 0}, 1.0, 0.5)), null));
    Path page = out.resolve("index.html");
    Files.writeString(page, SegmentPage.render("ovss segment: sclip", List.of("method sclip"), entries));

    String dom = HtmlInChromiumTest.run(chromium, dir.resolve("profile-dom"), "--dump-dom", page.toUri().toString());
    assertThat(dom).as("all four images decoded").contains("data-loaded=\"4\"");
    assertThat(HtmlRendererTest.count(dom, "<tr class=\"legend-row\"")).isEqualTo(3);
    assertThat(dom).contains("image broken.jpg is truncated").contains("&lt;grass&gt;").contains("75.0%");

    Path shot = dir.resolve("shot.png");
    HtmlInChromiumTest.run(chromium, dir.resolve("profile-shot"), "--screenshot=" + shot, "--window-size=1000,900",
        page.toUri().toString());
    BufferedImage img = ImageIO.read(shot.toFile());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        colours.add(img.getRGB(x, y) & 0xffffff);
      }
    }
    assertThat(colours).as("the four images' colours are on screen").contains(0x2080c0, 0xc02020, 0x20c040, 0xe0e020);
  }

  private static void png(Path file, int rgb) throws Exception {
    BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 60; y++) {
      for (int x = 0; x < 80; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }
}

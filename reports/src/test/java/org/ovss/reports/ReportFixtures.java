package org.ovss.reports;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ovss.leaderboards.BoardTable;
import org.ovss.leaderboards.Boards;
import org.ovss.leaderboards.Comparison;
import org.ovss.leaderboards.ResultFixtures;
import org.ovss.leaderboards.ResultFixtures.Cell;
import org.ovss.leaderboards.ResultStore;

/** Boards filled from results.json files the tests write, with awkward names on purpose. */
final class ReportFixtures {
  /** A class name that breaks HTML, CSV, Markdown and LaTeX if left unescaped. */
  static final String NASTY_CLASS = "<b>cat & \"dog\", 'x' | 50% _y_</b>";
  static final String NASTY_METHOD = "Mine <i>&</i> \"Co\", 100%_# |x";

  private ReportFixtures() {}

  /** The synth board: two full rows (SCLIP best), one row missing synth-stuff, one unlisted nasty method. */
  static BoardTable synthBoard(Path dir) {
    List<String> classes = List.of("background", NASTY_CLASS, "square");
    write(dir, "a", Cell.of("sclip", "trained", "synth-shapes", "synth", 61.25).named("SCLIP")
        .classes(classes, Arrays.asList(0.9, 0.5, 0.3)));
    write(dir, "b", Cell.of("sclip", "trained", "synth-shapes-bg", "synth", 51.0).named("SCLIP"));
    write(dir, "c", Cell.of("sclip", "trained", "synth-stuff", "synth", 41.0).named("SCLIP"));
    write(dir, "d", Cell.of("clip", "trained", "synth-shapes", "synth", 33.33).named("CLIP (dense, vanilla)")
        .classes(classes, Arrays.asList(0.8, null, 0.1)));
    write(dir, "e", Cell.of("clip", "trained", "synth-shapes-bg", "synth", 22.0).named("CLIP (dense, vanilla)"));
    write(dir, "f", Cell.of("clip", "trained", "synth-stuff", "synth", 11.0).named("CLIP (dense, vanilla)"));
    write(dir, "g", Cell.of("groupvit", "untrained", "synth-shapes", "synth", 7.5).named("GroupViT"));
    write(dir, "h", Cell.of("groupvit", "untrained", "synth-shapes-bg", "synth", 6.5).named("GroupViT"));
    write(dir, "i", Cell.of("mine", "v1", "synth-shapes", "synth", 1.0).named(NASTY_METHOD));
    ResultStore store = ResultStore.open(dir);
    store.collect();
    return BoardTable.build(Boards.get("synth"), store.results());
  }

  /** The sclip-8 board with SCLIP measured on two datasets, so paper values sit beside measured ones. */
  static BoardTable sclipBoard(Path dir) {
    write(dir, "s1", Cell.of("sclip", null, "voc21", "sclip", 58.1).named("SCLIP"));
    write(dir, "s2", Cell.of("sclip", null, "ade20k", "sclip", 16.6).named("SCLIP"));
    ResultStore store = ResultStore.open(dir);
    store.collect();
    return BoardTable.build(Boards.get("sclip-8"), store.results());
  }

  static Comparison comparison(Path dir) {
    synthBoard(dir);
    return Comparison.of(ResultStore.open(dir).results(), Comparison.Selector.parse("clip/trained"),
        Comparison.Selector.parse("sclip@synth"));
  }

  static BoardReport report(BoardTable t) {
    return new BoardReport(t, "2026-01-01T00:00:00Z", List.of("Trained 5 steps; note with <tag> & \"quotes\"."),
        Map.of("sclip/trained", List.of(overlay("val_0001"), overlay("val_0002"))));
  }

  static Overlay overlay(String id) {
    return new Overlay("synth-shapes", id, null, List.of(new Overlay.Panel("image", png(Color.ORANGE)),
        new Overlay.Panel("ground truth", png(Color.BLUE)), new Overlay.Panel("prediction", png(Color.GREEN))));
  }

  /** A 48 x 48 PNG: a coloured square on grey. */
  static byte[] png(Color color) {
    BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.GRAY);
    g.fillRect(0, 0, 48, 48);
    g.setColor(color);
    g.fillRect(8, 8, 28, 28);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(Path dir, String sub, Cell c) {
    ResultFixtures.write(dir.resolve(sub), c);
  }
}

package org.ovss.reports;

import java.util.List;

/** One image shown as panels side by side (image, ground truth, predictions), each an encoded PNG. */
public record Overlay(String dataset, String imageId, String caption, List<Panel> panels) {
  public Overlay {
    panels = List.copyOf(panels);
  }

  /** One picture of an overlay; {@code png} is small (the runner downscales before encoding). */
  public record Panel(String label, byte[] png) {}
}

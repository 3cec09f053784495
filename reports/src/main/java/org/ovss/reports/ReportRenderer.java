package org.ovss.reports;

import org.ovss.api.InvalidInputException;

/**
 * A report format, found through {@link org.ovss.api.plugins.PluginRegistry} (register in
 * {@code META-INF/services/org.ovss.reports.ReportRenderer}); {@link Renderers} looks them up by name.
 */
public interface ReportRenderer {
  /** The {@code --format} name, e.g. {@code md}. */
  String format();

  /** The file extension of what {@link #render(BoardReport)} returns. */
  default String extension() {
    return format();
  }

  String render(BoardReport report);

  /** The comparison view; formats meant for one table only refuse it. */
  default String render(ComparisonReport report) {
    throw new InvalidInputException("format '" + format() + "' has no comparison view; use md, html or json");
  }
}

package org.ovss.reports;

import java.util.ArrayList;
import java.util.List;
import org.ovss.api.UnknownNameException;
import org.ovss.api.plugins.PluginRegistry;

/** Named lookup of the {@link ReportRenderer} plugins (the built-ins and drop-in ones, see {@link PluginRegistry}). */
public final class Renderers {
  private Renderers() {}

  public static List<ReportRenderer> all() {
    return PluginRegistry.get().all(ReportRenderer.class);
  }

  public static ReportRenderer get(String format) {
    List<String> formats = new ArrayList<>();
    for (ReportRenderer r : all()) {
      if (r.format().equals(format)) {
        return r;
      }
      formats.add(r.format());
    }
    throw new UnknownNameException("report format", format, formats);
  }
}

package org.ovss.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.ovss.api.UnknownNameException;

/** Named lookup of the {@link ReportRenderer} plugins. */
public final class Renderers {
  private Renderers() {}

  public static List<ReportRenderer> all() {
    List<ReportRenderer> all = new ArrayList<>();
    ServiceLoader.load(ReportRenderer.class).forEach(all::add);
    return all;
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

package org.ovss.postprocess;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.PostProcessor;
import org.ovss.api.PostProcessorProvider;

/**
 * What every post-processor provider here is: an id, a description, named default parameters in the order they are
 * listed, and the processor built from the given parameters once {@link Parameters} has merged them over the
 * defaults and refused unknown names.
 */
abstract class CheckedProvider implements PostProcessorProvider {
  private final String id;
  private final String description;
  private final Map<String, String> defaults;

  /**
   * @param defaults name, value, name, value, ... in the order {@link #defaults()} lists them
   */
  CheckedProvider(String id, String description, String... defaults) {
    if (defaults.length % 2 != 0) {
      throw new IllegalArgumentException("defaults come in name, value pairs");
    }
    Map<String, String> d = new LinkedHashMap<>();
    for (int i = 0; i < defaults.length; i += 2) {
      d.put(defaults[i], defaults[i + 1]);
    }
    this.id = id;
    this.description = description;
    this.defaults = Collections.unmodifiableMap(d);
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final String description() {
    return description;
  }

  @Override
  public final Map<String, String> defaults() {
    return defaults;
  }

  @Override
  public final PostProcessor create(Map<String, String> parameters) {
    return create(Parameters.of(id, defaults, parameters));
  }

  /** The processor of the merged, known parameters. */
  abstract PostProcessor create(Parameters parameters);
}

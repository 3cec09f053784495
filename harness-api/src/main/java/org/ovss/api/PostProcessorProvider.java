package org.ovss.api;

import java.util.Map;

/**
 * A named post-processor, registered in {@code META-INF/services/org.ovss.api.PostProcessorProvider}
 * and switched on by a protocol ({@code --pamr}, {@code --crf}).
 */
public interface PostProcessorProvider {

  /** Name used in protocols and on the command line ({@code pamr}, {@code densecrf}). */
  String id();

  String description();

  /** Accepted parameters with their default values (as strings). */
  Map<String, String> defaults();

  /**
   * A configured instance. Unknown parameter names and invalid values fail with an
   * {@link InvalidInputException} naming the parameter.
   */
  PostProcessor create(Map<String, String> parameters);
}

package org.ovss.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Static description of a method; cheap to build, available without loading any weights.
 *
 * @param id stable lower-case identifier used on the command line ({@code sclip})
 * @param displayName name for tables ({@code SCLIP})
 * @param paper key in the citation registry {@link Papers} of the paper the method implements ({@code sclip-2024});
 *     {@code ovss methods} prints its full reference
 * @param capabilities what {@link SegmentationMethod} instances of this method support
 * @param defaultProtocol name of the evaluation protocol the paper uses
 * @param knobs method options accepted in {@link MethodConfig#options()}, name to description
 * @param trainsFrom id of the method whose trained checkpoint this one's training starts from (SegCLIP
 *     and PACL start from CLIP weights): a runner that trains both hands that checkpoint over as {@link
 *     MethodConfig#weights()}; empty for methods trained from scratch
 */
public record MethodInfo(
    String id,
    String displayName,
    String paper,
    Set<Capability> capabilities,
    String defaultProtocol,
    Map<String, String> knobs,
    Optional<String> trainsFrom) {

  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]*");

  public MethodInfo {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("method id '" + id + "' must match " + ID.pattern());
    }
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(paper, "paper");
    capabilities = Set.copyOf(capabilities);
    Objects.requireNonNull(defaultProtocol, "defaultProtocol");
    knobs = Map.copyOf(knobs);
    Objects.requireNonNull(trainsFrom, "trainsFrom");
  }

  /** A method that trains from scratch, or does not train. */
  public MethodInfo(String id, String displayName, String paper, Set<Capability> capabilities, String defaultProtocol,
      Map<String, String> knobs) {
    this(id, displayName, paper, capabilities, defaultProtocol, knobs, Optional.empty());
  }

  /** This description, for a method whose training starts from the checkpoint of method {@code backbone}. */
  public MethodInfo trainingFrom(String backbone) {
    return new MethodInfo(id, displayName, paper, capabilities, defaultProtocol, knobs, Optional.of(backbone));
  }

  public boolean has(Capability capability) {
    return capabilities.contains(capability);
  }
}

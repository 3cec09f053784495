package org.ovss.api;

/**
 * Entry point of a method plugin, registered in {@code META-INF/services/org.ovss.api.MethodProvider}.
 *
 * <p>Providers are cheap: discovery instantiates every provider on the classpath, so all heavy work
 * (weights, native tensors) belongs in {@link #open}.
 */
public interface MethodProvider {

  /** The method id; equal to {@code info().id()}. */
  default String id() {
    return info().id();
  }

  MethodInfo info();

  /** Creates a loaded method instance; the caller closes it. */
  SegmentationMethod open(MethodConfig config);
}

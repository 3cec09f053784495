package org.ovss.api;

import java.util.function.BiFunction;

/**
 * A provider that is nothing but its {@link MethodInfo} and how to open the method, as most plugins need: a
 * subclass passes both from its public no-argument constructor (which {@link java.util.ServiceLoader} calls).
 */
public abstract class BasicMethodProvider implements MethodProvider {
  private final MethodInfo info;
  private final BiFunction<MethodInfo, MethodConfig, SegmentationMethod> opener;

  /**
   * @param info the method's description
   * @param opener opens the method from its description and a config, e.g. {@code MyMethod::new}
   */
  protected BasicMethodProvider(MethodInfo info, BiFunction<MethodInfo, MethodConfig, SegmentationMethod> opener) {
    this.info = info;
    this.opener = opener;
  }

  @Override
  public final MethodInfo info() {
    return info;
  }

  @Override
  public final SegmentationMethod open(MethodConfig config) {
    return opener.apply(info, config);
  }
}

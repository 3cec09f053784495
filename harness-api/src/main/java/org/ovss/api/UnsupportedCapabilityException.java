package org.ovss.api;

/** A method was asked for a capability it does not declare. */
public class UnsupportedCapabilityException extends OvssException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCapabilityException(String methodId, Capability capability) {
    super("method '" + methodId + "' does not support " + capability);
  }
}

package org.ovss.clip.weights;

import org.ovss.api.InvalidInputException;

/** A weights file that cannot be used for the requested architecture; the message names file and tensor. */
public class WeightsException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  public WeightsException(String message) {
    super(message);
  }
}

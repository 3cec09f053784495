package org.ovss.api;

/** A file, value or option the user supplied is unusable; the message says which and why. */
public class InvalidInputException extends OvssException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

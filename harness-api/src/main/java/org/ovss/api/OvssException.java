package org.ovss.api;

/** Base of the harness's errors; the message is meant for the user and names the input at fault. */
public class OvssException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OvssException(String message) {
    super(message);
  }

  public OvssException(String message, Throwable cause) {
    super(message, cause);
  }
}

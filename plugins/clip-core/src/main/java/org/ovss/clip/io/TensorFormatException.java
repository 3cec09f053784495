package org.ovss.clip.io;

import java.nio.file.Path;

/**
 * A tensor file is malformed, unsupported, or refused for safety. The message names the file and,
 * where the problem concerns one tensor, that tensor; only {@link TensorDType#fromSafetensors},
 * which has no file to name, throws one without a file.
 */
public final class TensorFormatException extends org.ovss.api.InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** A problem with {@code file} as a whole. */
  public TensorFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  /** A problem with {@code file} as a whole, caused by {@code cause}. */
  public TensorFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }

  /** A problem with tensor {@code tensor} of {@code file}. */
  public TensorFormatException(Path file, String tensor, String problem) {
    super(file + ": tensor '" + tensor + "': " + problem);
  }

  /** A problem with tensor {@code tensor} of {@code file}, caused by {@code cause}. */
  public TensorFormatException(Path file, String tensor, String problem, Throwable cause) {
    super(file + ": tensor '" + tensor + "': " + problem, cause);
  }

  TensorFormatException(String problem) {
    super(problem);
  }
}

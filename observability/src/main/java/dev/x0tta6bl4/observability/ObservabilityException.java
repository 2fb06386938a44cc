package dev.x0tta6bl4.observability;

/**
 * Unchecked failure of the observability module: an invalid argument (bad meter name, bad log
 * level), a server that cannot bind, or a lifecycle call in the wrong state. The message names
 * the bad value and what was expected.
 *
 * <p>Thrown on the caller's thread; nothing to close.
 */
public class ObservabilityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the bad value and what was expected. */
  public ObservabilityException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public ObservabilityException(String message, Throwable cause) {
    super(message, cause);
  }
}

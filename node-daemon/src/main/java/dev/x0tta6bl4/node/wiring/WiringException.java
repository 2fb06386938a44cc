package dev.x0tta6bl4.node.wiring;

/** Thrown when the container cannot build, start or look up a component. */
public final class WiringException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WiringException(String message) {
    super(message);
  }

  public WiringException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.x0tta6bl4.node.transport;

/** A mesh transport failure: cannot listen, cannot read link state. */
public final class TransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}

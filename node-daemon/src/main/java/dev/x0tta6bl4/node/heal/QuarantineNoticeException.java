package dev.x0tta6bl4.node.heal;

/** A quarantine notice that does not decode, or a field out of range; the message names it. */
public final class QuarantineNoticeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QuarantineNoticeException(String message) {
    super(message);
  }

  public QuarantineNoticeException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.x0tta6bl4.pqc;

/**
 * A TLS context, engine or setting could not be built as required (for example an invalid
 * {@link TlsSettings} value, or an engine that is not a Bouncy Castle engine). The message
 * names the bad value and what was expected.
 */
public final class TlsSetupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TlsSetupException(String message) {
    super(message);
  }

  public TlsSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}

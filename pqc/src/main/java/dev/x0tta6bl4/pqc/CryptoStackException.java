package dev.x0tta6bl4.pqc;

/**
 * The node's cryptographic stack is unusable: the Bouncy Castle jars disagree on their
 * version, a known-answer self-test failed, or a provider could not be built. Start-up
 * turns it into exit code 1; the message names the algorithm or the jars and versions.
 */
public final class CryptoStackException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CryptoStackException(String message) {
    super(message);
  }

  public CryptoStackException(String message, Throwable cause) {
    super(message, cause);
  }
}

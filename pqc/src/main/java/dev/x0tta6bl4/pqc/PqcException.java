package dev.x0tta6bl4.pqc;

/**
 * Unchecked exception of the {@code pqc} module: an invalid argument (a malformed SPIFFE ID,
 * an unreadable PEM file, a key that does not match its certificate) or a cryptographic
 * operation that the provider refused. The message names the bad value and what was
 * expected.
 *
 * <p>Expected outcomes of hostile input are not reported with this type: a refused peer
 * certificate is a {@link java.security.cert.CertificateException} and a bad envelope is an
 * {@link EnvelopeException}.
 */
public class PqcException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PqcException(String message) {
    super(message);
  }

  public PqcException(String message, Throwable cause) {
    super(message, cause);
  }
}

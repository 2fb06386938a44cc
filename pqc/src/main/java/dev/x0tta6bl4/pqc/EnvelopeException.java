package dev.x0tta6bl4.pqc;

import java.util.Objects;

/**
 * A {@link SignedEnvelope} was refused: it did not decode, or it did not verify against its
 * origin's certificate chain. An expected outcome of hostile or corrupted input, hence checked;
 * the {@link Reason} lets the mesh score the sending peer without parsing messages.
 */
public final class EnvelopeException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an envelope was refused. */
  public enum Reason {
    /** The input ends before a field it announces. */
    TRUNCATED,
    /** A length field (or the whole input) exceeds its hard cap. */
    TOO_LARGE,
    /** The format version byte is not one this decoder knows. */
    BAD_VERSION,
    /** The algorithm id is not 1, 2 or 3. */
    UNKNOWN_ALGORITHM,
    /** The origin is not a valid SPIFFE ID. */
    BAD_ORIGIN,
    /** A signature length does not match the algorithm. */
    BAD_SIGNATURE_LENGTH,
    /** Bytes follow the last signature. */
    TRAILING_BYTES,
    /** The origin's certificate chain failed SVID validation. */
    UNTRUSTED_ORIGIN,
    /** The chain's SPIFFE ID is not the envelope's origin. */
    ORIGIN_MISMATCH,
    /** The chain's key type does not fit the envelope's algorithm. */
    KEY_ALGORITHM_MISMATCH,
    /** A signature does not verify with the origin's key. */
    BAD_SIGNATURE
  }

  private final Reason reason;

  public EnvelopeException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public EnvelopeException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}

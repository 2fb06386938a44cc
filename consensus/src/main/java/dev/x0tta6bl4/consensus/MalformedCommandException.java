package dev.x0tta6bl4.consensus;

/**
 * Bytes that are not a valid encoding of a command, query or result. Carries the reason as an
 * enum so callers (and tests) can tell a truncated buffer from an oversized length.
 */
public final class MalformedCommandException extends ConsensusException {
  private static final long serialVersionUID = 1L;

  /** Why the bytes were rejected. */
  public enum Reason {
    /** The buffer ended inside a field. */
    TRUNCATED,
    /** The format version byte is not one this build reads. */
    UNSUPPORTED_VERSION,
    /** A message, operation or query tag is unknown. */
    UNKNOWN_TAG,
    /** A length or count exceeds its limit or the remaining bytes. */
    OUT_OF_BOUNDS,
    /** A varint is longer than 10 bytes, overflows or is not in its shortest form. */
    BAD_VARINT,
    /** A string is not well-formed UTF-8, or a required string is empty. */
    BAD_STRING,
    /** Bytes remain after the message. */
    TRAILING_BYTES,
    /** A field holds a value outside its domain (for example an unknown result code). */
    BAD_VALUE
  }

  private final Reason reason;

  public MalformedCommandException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

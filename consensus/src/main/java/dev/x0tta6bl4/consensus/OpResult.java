package dev.x0tta6bl4.consensus;

/**
 * The outcome of one {@link KvOp}. {@code version} is the key's version after the operation for
 * OK, the current version (0 when absent) for CONFLICT, and 0 otherwise.
 */
public record OpResult(Code code, long version) {

  /** Result codes; the byte values are part of the wire format. */
  public enum Code {
    OK(0),
    /** A compare-and-set or conditional delete found another version. */
    CONFLICT(1),
    /** Delete of an absent key, member or setting. */
    NOT_FOUND(2),
    /**
     * The request's sequence number is older than what the state machine still remembers for
     * its client: it was never applied, or its result is no longer known. Nothing changed.
     */
    STALE_REQUEST(3),
    /** The Raft entry could not be decoded; nothing changed (should never happen). */
    INVALID(4);

    final int wire;

    Code(int wire) {
      this.wire = wire;
    }

    static Code fromWire(int b) {
      for (Code c : values()) {
        if (c.wire == b) {
          return c;
        }
      }
      throw new MalformedCommandException(MalformedCommandException.Reason.BAD_VALUE,
          "unknown result code " + b);
    }
  }

  public OpResult {
    java.util.Objects.requireNonNull(code, "code");
  }

  public boolean ok() {
    return code == Code.OK;
  }
}

package dev.x0tta6bl4.node.transport;

import java.util.Optional;

/**
 * Why a link is being closed, sent as the {@code u16} reason code of a {@link Frame.Goodbye}
 * so the peer learns why it was dropped. Codes are part of the wire format: never renumber
 * one, and add a new code only together with a new protocol version (see {@code
 * docs/protocol.md}, "Versioning").
 *
 * <p>Codes 0x0000-0x000F are general, 0x0010-0x001F are decoding errors (each one the
 * {@link FrameDecodingException.Reason#goodbyeReason()} of exactly one decoding reason), and
 * 0x0020-0x003F concern link admission and health. An immutable constant, usable from any
 * thread.
 */
public enum GoodbyeReason {
  /** The sender is shutting down or draining the link on purpose. */
  NORMAL_SHUTDOWN(0x0000),
  /** A well-formed frame arrived that the protocol does not allow at that point. */
  PROTOCOL_ERROR(0x0001),
  /** The sender hit an internal error and gives up the link. */
  INTERNAL_ERROR(0x0002),
  /** A field held a value outside its allowed range (e.g. an invalid node id). */
  MALFORMED_FRAME(0x0010),
  /** The frame length exceeded the receiver's maximum frame size or its type's maximum. */
  FRAME_TOO_LARGE(0x0011),
  /** The frame carried a protocol version the receiver does not speak. */
  UNSUPPORTED_VERSION(0x0012),
  /** The frame carried a type number the receiver does not know. */
  UNKNOWN_FRAME_TYPE(0x0013),
  /** The frame set flag bits that are not defined for its type. */
  UNKNOWN_FLAGS(0x0014),
  /** The frame ended before all of its fields. */
  TRUNCATED_FRAME(0x0015),
  /** Bytes were left inside the frame after its last field. */
  TRAILING_BYTES(0x0016),
  /** A string or byte field was longer than its cap. */
  FIELD_TOO_LONG(0x0017),
  /** A string field was not well-formed UTF-8. */
  INVALID_UTF8(0x0018),
  /** An enumerated field (reason code, probe outcome) held an undefined value. */
  INVALID_ENUM_VALUE(0x0019),
  /** The peer's HELLO did not match its certificate (SPIFFE ID or node id). */
  IDENTITY_MISMATCH(0x0020),
  /** Another link to the same peer already exists and this one lost the tie-break. */
  DUPLICATE_LINK(0x0021),
  /** The receiver already has its maximum number of links. */
  TOO_MANY_LINKS(0x0022),
  /** The receiver has quarantined the peer (misbehaviour, bad signatures). */
  QUARANTINED(0x0023),
  /** The receiver is overloaded and sheds this link; the peer may retry later. */
  OVERLOADED(0x0024),
  /** The peer did not complete the HELLO exchange in time. */
  HANDSHAKE_TIMEOUT(0x0025),
  /** The peer stopped answering heartbeats and probes. */
  PEER_UNRESPONSIVE(0x0026);

  private static final GoodbyeReason[] BY_CODE = new GoodbyeReason[0x40];

  static {
    for (GoodbyeReason reason : values()) {
      BY_CODE[reason.code] = reason;
    }
  }

  private final int code;

  GoodbyeReason(int code) {
    this.code = code;
  }

  /** The {@code u16} code on the wire. */
  public int code() {
    return code;
  }

  /** The reason with this wire code, or empty if none is defined. */
  public static Optional<GoodbyeReason> fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
  }
}

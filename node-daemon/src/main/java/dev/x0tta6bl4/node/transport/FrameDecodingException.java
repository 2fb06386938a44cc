package dev.x0tta6bl4.node.transport;

import io.netty.handler.codec.DecoderException;
import java.util.Objects;

/**
 * A frame from a peer broke the wire format. Thrown by {@link FrameDecoder} on the channel's
 * event loop; {@link ProtocolErrorHandler} turns it into a GOODBYE carrying {@link
 * Reason#goodbyeReason()} and closes the link. The message names the field and the bad value.
 *
 * <p>It extends Netty's {@link DecoderException} so that {@code ByteToMessageDecoder} passes it
 * on unwrapped; handlers should still look for it in the cause chain.
 */
public final class FrameDecodingException extends DecoderException {
  private static final long serialVersionUID = 1L;

  /** What was wrong; each maps to exactly one {@link GoodbyeReason}. */
  public enum Reason {
    /** Length above the receiver's maximum frame size, or above what the type can hold. */
    FRAME_TOO_LARGE(GoodbyeReason.FRAME_TOO_LARGE),
    /** Header version other than one this decoder speaks. */
    UNSUPPORTED_VERSION(GoodbyeReason.UNSUPPORTED_VERSION),
    /** Header type number not in {@link FrameType} (including reserved numbers). */
    UNKNOWN_FRAME_TYPE(GoodbyeReason.UNKNOWN_FRAME_TYPE),
    /** Header flag bits set that the type does not define. */
    UNKNOWN_FLAGS(GoodbyeReason.UNKNOWN_FLAGS),
    /** The frame (or its length) ends before all of its fields. */
    TRUNCATED_FRAME(GoodbyeReason.TRUNCATED_FRAME),
    /** Bytes left inside the frame after its last field. */
    TRAILING_BYTES(GoodbyeReason.TRAILING_BYTES),
    /** A string or byte field longer than its cap. */
    FIELD_TOO_LONG(GoodbyeReason.FIELD_TOO_LONG),
    /** A string that is not well-formed UTF-8. */
    INVALID_UTF8(GoodbyeReason.INVALID_UTF8),
    /** An undefined reason code or probe outcome. */
    INVALID_ENUM_VALUE(GoodbyeReason.INVALID_ENUM_VALUE),
    /** A field whose value breaks its rule (node id syntax, version range, SPIFFE ID...). */
    INVALID_FIELD(GoodbyeReason.MALFORMED_FRAME);

    private final GoodbyeReason goodbyeReason;

    Reason(GoodbyeReason goodbyeReason) {
      this.goodbyeReason = goodbyeReason;
    }

    /** The reason code sent to the peer in the GOODBYE that closes the link. */
    public GoodbyeReason goodbyeReason() {
      return goodbyeReason;
    }
  }

  private final Reason reason;

  /**
   * @param reason what was wrong
   * @param message names the frame type or header field, the bad value and what was expected
   */
  public FrameDecodingException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason") + ": " + message);
    this.reason = reason;
  }

  /** What was wrong. */
  public Reason reason() {
    return reason;
  }
}

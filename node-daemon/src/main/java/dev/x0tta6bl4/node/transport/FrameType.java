package dev.x0tta6bl4.node.transport;

import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_GOODBYE_DETAIL_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_LISTEN_ADDRESS_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_NODE_ID_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_SPIFFE_ID_BYTES;

import java.util.Optional;

/**
 * The registry of frame type numbers: the {@code u8 type} of the frame header. A new frame
 * type is added here (code, body bounds, allowed flags), as a record in {@link Frame}, and in
 * the package's body codec; nothing else dispatches on type numbers.
 *
 * <p>Each type declares the smallest and largest body its fields can occupy (computed from the
 * field caps in {@link FrameFormat}); the decoder rejects a header whose length falls outside
 * them before waiting for the body. No flag bits are defined in protocol version 1, so every
 * type allows none.
 *
 * <p>Types from 0x10 up carry another layer's encoding as an opaque body ({@link Frame.Opaque}).
 * Code 0 is never assigned. An immutable constant, usable from any thread.
 */
public enum FrameType {
  /** Link handshake: identity, version range, capabilities, listen address, boot id. */
  HELLO(0x01, 1 + 1 + 8 + 8 + 2 + 2 + 2,
      1 + 1 + 8 + 8 + 2 + MAX_NODE_ID_BYTES + 2 + MAX_SPIFFE_ID_BYTES + 2
          + MAX_LISTEN_ADDRESS_BYTES),
  /** The sender closes the link and says why. */
  GOODBYE(0x02, 2 + 2, 2 + 2 + MAX_GOODBYE_DETAIL_BYTES),
  /** Liveness beacon with the sender's monotonic timestamp. */
  HEARTBEAT(0x03, 8 + 8, 8 + 8),
  /** Reply to a heartbeat, echoing its timestamp and adding the responder's wall clock. */
  HEARTBEAT_ACK(0x04, 8 + 8 + 8, 8 + 8 + 8),
  /** Asks a neighbour to probe a target on the sender's behalf (indirect probing). */
  PROBE_REQUEST(0x05, 8 + 2, 8 + 2 + MAX_NODE_ID_BYTES),
  /** The neighbour's answer to a probe request. */
  PROBE_RESULT(0x06, 8 + 1 + 2, 8 + 1 + 2 + MAX_NODE_ID_BYTES),
  // Opaque bodies (0x10 up) are bounded by the frame cap (mesh.max-frame-size) alone; their
  // own codecs (routing, delivery) check every field against their own caps.
  /** A signed link-state advert; the body is the routing layer's wire form. */
  LINK_STATE_ADVERT(0x10, 1, FrameFormat.MAX_MAX_FRAME_SIZE - FrameFormat.HEADER_LENGTH),
  /**
   * A neighbour's signed notice that it quarantined a peer; the body is the self-healing layer's
   * signed notice ({@code node.heal.QuarantineNotice}). Sent to direct neighbours only, never
   * relayed.
   */
  QUARANTINE_NOTICE(0x11, 1, FrameFormat.MAX_MAX_FRAME_SIZE - FrameFormat.HEADER_LENGTH),
  /** End-to-end unicast data; the body is the delivery layer's DATA encoding. */
  DATA(0x20, 1, FrameFormat.MAX_MAX_FRAME_SIZE - FrameFormat.HEADER_LENGTH),
  /** End-to-end acknowledgement of data; the body is the delivery layer's ACK encoding. */
  DATA_ACK(0x21, 1, FrameFormat.MAX_MAX_FRAME_SIZE - FrameFormat.HEADER_LENGTH),
  /** Flooded broadcast data; the body is the delivery layer's BROADCAST encoding. */
  BROADCAST(0x22, 1, FrameFormat.MAX_MAX_FRAME_SIZE - FrameFormat.HEADER_LENGTH);


  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;
  private final int minBodyLength;
  private final int maxBodyLength;

  FrameType(int code, int minBodyLength, int maxBodyLength) {
    this.code = code;
    this.minBodyLength = minBodyLength;
    this.maxBodyLength = maxBodyLength;
  }

  /** The {@code u8} type number on the wire. */
  public int code() {
    return code;
  }

  /** The fewest body bytes (after the 4-byte header) a frame of this type can have. */
  public int minBodyLength() {
    return minBodyLength;
  }

  /** The most body bytes (after the 4-byte header) a frame of this type can have. */
  public int maxBodyLength() {
    return maxBodyLength;
  }

  /** The header flag bits this type may set; none are defined in protocol version 1. */
  public int allowedFlags() {
    return 0;
  }

  /** The type with this wire number, or empty if this version defines none. */
  public static Optional<FrameType> fromCode(int code) {
    return Optional.ofNullable(lookup(code));
  }


  /** Whether the body is another layer's encoding, carried as {@link Frame.Opaque}. */
  public boolean opaque() {
    return code >= 0x10;
  }

  /** Allocation-free lookup for the decoder; null if unknown. */
  static FrameType lookup(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}

package dev.x0tta6bl4.node.transport;

/**
 * A message on a mesh link. Each frame type is a record here; its wire number and body bounds
 * are in {@link FrameType}, its byte layout in {@code docs/protocol.md}. Records validate their
 * fields on construction ({@link IllegalArgumentException} naming the field), so an invalid
 * frame can neither be built for sending nor come out of {@link FrameDecoder}.
 *
 * <p>Immutable values, safe to hand between threads. Fields typed {@code long} that the
 * protocol calls {@code u64} (sequences, ids, capability bits) carry all 64 bits; compare them
 * with {@link Long#compareUnsigned} where order matters.
 */
public sealed interface Frame {

  /** The type of this frame, which decides its wire number and body layout. */
  FrameType type();

  /**
   * The first frame on a link, sent by both sides after TLS: who the sender is and which
   * protocol versions it speaks. Its layout is frozen for every protocol version, so peers with
   * different version ranges can always read each other's HELLO (see {@code docs/protocol.md}).
   *
   * @param nodeId the sender's node id (1..63 of {@code [a-z0-9._-]})
   * @param spiffeId the sender's SPIFFE ID, which the receiver checks against the certificate
   * @param minVersion the lowest protocol version the sender speaks, 1..255
   * @param maxVersion the highest protocol version the sender speaks, minVersion..255
   * @param capabilities capability bits (u64); none are defined yet, unknown bits are ignored
   * @param listenAddress where the sender accepts links, {@code host:port} ({@code [ipv6]:port})
   * @param bootId random per process start (u64), so a restarted peer is told apart
   */
  record Hello(
      String nodeId,
      String spiffeId,
      int minVersion,
      int maxVersion,
      long capabilities,
      String listenAddress,
      long bootId)
      implements Frame {
    /** Validates every field. */
    public Hello {
      FieldRules.nodeId("HELLO nodeId", nodeId);
      FieldRules.spiffeId("HELLO spiffeId", spiffeId);
      FieldRules.unsignedByte("HELLO minVersion", minVersion, 1);
      FieldRules.unsignedByte("HELLO maxVersion", maxVersion, 1);
      if (maxVersion < minVersion) {
        throw new IllegalArgumentException(
            "HELLO version range " + minVersion + ".." + maxVersion
                + " is empty; expected minVersion <= maxVersion");
      }
      FieldRules.listenAddress("HELLO listenAddress", listenAddress);
    }

    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }
  }

  /**
   * A liveness beacon, sent on every link about every 100 ms.
   *
   * @param sequence per-link sequence number (u64), incremented per heartbeat
   * @param senderTimeNanos the sender's monotonic clock when sent, echoed in the ack for RTT
   */
  record Heartbeat(long sequence, long senderTimeNanos) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.HEARTBEAT;
    }
  }

  /**
   * The reply to a {@link Heartbeat}.
   *
   * @param sequence the sequence of the heartbeat answered (u64)
   * @param echoedSenderTimeNanos the heartbeat's {@code senderTimeNanos}, unchanged, so the
   *     sender computes RTT on its own clock
   * @param responderTimeMillis the responder's wall clock (epoch millis) when replying, for
   *     clock-offset estimates
   */
  record HeartbeatAck(long sequence, long echoedSenderTimeNanos, long responderTimeMillis)
      implements Frame {
    @Override
    public FrameType type() {
      return FrameType.HEARTBEAT_ACK;
    }
  }

  /**
   * Asks the receiving neighbour to probe {@code targetNodeId} on the sender's behalf and answer
   * with a {@link ProbeResult} carrying the same {@code probeId}.
   *
   * @param probeId chosen by the sender (u64) to match the result
   * @param targetNodeId the node to probe
   */
  record ProbeRequest(long probeId, String targetNodeId) implements Frame {
    /** Validates the target. */
    public ProbeRequest {
      FieldRules.nodeId("PROBE_REQUEST targetNodeId", targetNodeId);
    }

    @Override
    public FrameType type() {
      return FrameType.PROBE_REQUEST;
    }
  }

  /**
   * The answer to a {@link ProbeRequest}.
   *
   * @param probeId the request's probe id (u64)
   * @param targetNodeId the node that was probed
   * @param outcome what the relay observed
   */
  record ProbeResult(long probeId, String targetNodeId, ProbeOutcome outcome) implements Frame {
    /** Validates the target and outcome. */
    public ProbeResult {
      FieldRules.nodeId("PROBE_RESULT targetNodeId", targetNodeId);
      FieldRules.notNull("PROBE_RESULT outcome", outcome);
    }

    @Override
    public FrameType type() {
      return FrameType.PROBE_RESULT;
    }
  }

  /**
   * The last frame on a link: the sender closes it and says why. Its layout is frozen for
   * every protocol version, like HELLO's.
   *
   * @param reason why the link is closed
   * @param detail human-readable detail, at most {@link FrameFormat#MAX_GOODBYE_DETAIL_BYTES}
   *     UTF-8 bytes, possibly empty; see {@link #of} to build one from arbitrary text
   */
  record Goodbye(GoodbyeReason reason, String detail) implements Frame {
    /** Validates the reason and the detail. */
    public Goodbye {
      FieldRules.notNull("GOODBYE reason", reason);
      FieldRules.text("GOODBYE detail", detail, FrameFormat.MAX_GOODBYE_DETAIL_BYTES);
    }

    /**
     * A GOODBYE whose detail is {@code text} made sendable: null becomes empty, unpaired
     * surrogates become '?', and text beyond the cap is cut at a character boundary.
     */
    public static Goodbye of(GoodbyeReason reason, String text) {
      return new Goodbye(reason, Utf8.truncate(text, FrameFormat.MAX_GOODBYE_DETAIL_BYTES));
    }

    @Override
    public FrameType type() {
      return FrameType.GOODBYE;
    }
  }

  /**
   * A frame whose body is another layer's encoding (link-state advert, data, data ack,
   * broadcast): the link layer carries it and the owning layer's codec parses it strictly.
   *
   * @param type one of the opaque types ({@link FrameType#opaque()})
   * @param body the encoded body, not copied: ownership passes to the frame
   */
  record Opaque(FrameType type, byte[] body) implements Frame {
    /** Validates the type and that the body is not empty. */
    public Opaque {
      FieldRules.notNull("opaque frame type", type);
      FieldRules.notNull("opaque frame body", body);
      if (!type.opaque()) {
        throw new IllegalArgumentException(type + " is not an opaque frame type");
      }
      if (body.length == 0) {
        throw new IllegalArgumentException(type + " body is empty; at least 1 byte is required");
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Opaque o && o.type == type && java.util.Arrays.equals(o.body, body);
    }

    @Override
    public int hashCode() {
      return 31 * type.hashCode() + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
      return "Opaque[" + type + ", " + body.length + " bytes]";
    }
  }
}

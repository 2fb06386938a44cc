package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.membership.ProbeOutcome;
import java.util.Objects;

/**
 * What travels between simulated nodes: the frames a real link carries, as plain values (the
 * routing and delivery bodies stay in their real encodings, the way {@code MeshRouter} sends
 * them as opaque frame bodies). A link-layer handshake ({@link Hello}, {@link HelloReply}) and
 * close ({@link Goodbye}) stand in for TCP+TLS connection set-up and teardown.
 */
sealed interface SimFrame {

  /** Dialer to acceptor: open connection {@code connection} (TCP connect + TLS + HELLO). */
  record Hello(long connection) implements SimFrame {}

  /** Acceptor to dialer: connection {@code connection} is open at the acceptor. */
  record HelloReply(long connection) implements SimFrame {}

  /** The sender closed the connection (GOODBYE, or the kernel's reset). */
  record Goodbye(String reason) implements SimFrame {}

  /** Failure-detector heartbeat; the receiver echoes seq and send time. */
  record Heartbeat(long seq, long sentNanos) implements SimFrame {}

  /** The echo of a heartbeat. */
  record HeartbeatAck(long seq, long sentNanos) implements SimFrame {}

  /** SWIM indirect probe request. */
  record ProbeRequest(long probeId, String target) implements SimFrame {}

  /** SWIM indirect probe answer. */
  record ProbeResult(long probeId, String target, ProbeOutcome outcome) implements SimFrame {}

  /** Kinds of {@link Opaque} body, as the wire's frame types. */
  enum Kind {
    LINK_STATE_ADVERT,
    DATA,
    DATA_ACK,
    BROADCAST
  }

  /** A frame whose body is another layer's encoding (routing or delivery). */
  record Opaque(Kind kind, byte[] body) implements SimFrame {
    public Opaque {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(body, "body");
    }
  }
}

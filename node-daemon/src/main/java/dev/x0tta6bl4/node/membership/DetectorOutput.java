package dev.x0tta6bl4.node.membership;

import java.util.Objects;

/**
 * What a {@link FailureDetector} call produces: {@link Action actions} the caller must carry out
 * (send a frame) and {@link Event events} it reports (suspicion, recovery, death).
 *
 * <p>Plain immutable values. The thread that drives the detector (a Netty event loop, or the
 * simulator's loop) receives them as the return value of each call and handles them in order.
 */
public sealed interface DetectorOutput permits DetectorOutput.Action, DetectorOutput.Event {

  /** A frame to send to a neighbour. Dropping one is allowed: the protocol tolerates loss. */
  sealed interface Action extends DetectorOutput
      permits SendHeartbeat, SendProbeRequest, SendProbeResult {
    /** The neighbour the frame goes to. */
    String peer();
  }

  /** A change of belief about a neighbour, stamped with the detector's time. */
  sealed interface Event extends DetectorOutput permits Suspected, Recovered, Dead {
    /** The neighbour the event is about. */
    String peer();

    /** The detector time ({@code nowNanos} of the call) at which it happened. */
    long atNanos();
  }

  /**
   * Send a HEARTBEAT frame carrying {@code seq} and {@code sentNanos}; the peer echoes both in its
   * reply, which the adapter feeds back through {@link FailureDetector#heartbeatAckReceived}.
   */
  record SendHeartbeat(String peer, long seq, long sentNanos) implements Action {
    public SendHeartbeat {
      Objects.requireNonNull(peer, "peer");
    }
  }

  /** Ask neighbour {@code peer} (the helper) whether it can hear {@code target}. */
  record SendProbeRequest(String peer, long probeId, String target) implements Action {
    public SendProbeRequest {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(target, "target");
    }

    /** The helper the request goes through (same as {@link #peer()}). */
    public String via() {
      return peer;
    }
  }

  /** Answer the probe request {@code probeId} of {@code peer} (the requester) about {@code target}. */
  record SendProbeResult(String peer, long probeId, String target, ProbeOutcome outcome)
      implements Action {
    public SendProbeResult {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(outcome, "outcome");
    }

    /** The requester the result goes to (same as {@link #peer()}). */
    public String to() {
      return peer;
    }
  }

  /** The peer became SUSPECT; {@code phi} is its phi value when suspicion started. */
  record Suspected(String peer, long atNanos, double phi) implements Event {
    public Suspected {
      Objects.requireNonNull(peer, "peer");
    }
  }

  /** Suspicion of the peer was cleared by evidence of life (direct, or an ALIVE probe result). */
  record Recovered(String peer, long atNanos) implements Event {
    public Recovered {
      Objects.requireNonNull(peer, "peer");
    }
  }

  /** The peer is dead for this node; the adapter should close the link. */
  record Dead(String peer, long atNanos, DeathReason reason) implements Event {
    public Dead {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(reason, "reason");
    }
  }
}

package dev.x0tta6bl4.node.membership;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A snapshot of what a {@link FailureDetector} knows about one neighbour, for metrics, logs and
 * test harnesses. Immutable; taken on the detector's thread and safe to hand to any other.
 *
 * @param peer the neighbour's node id
 * @param status current belief
 * @param phi phi at the time of the snapshot (0 for a DEAD peer)
 * @param lastRttNanos the last round-trip time measured from a heartbeat reply
 * @param smoothedRttNanos exponentially smoothed RTT (TCP's SRTT, gain 1/8)
 * @param heartbeatsSent heartbeats sent on this link
 * @param acksReceived heartbeat replies received (with a matching timestamp)
 * @param acksMissed heartbeats whose reply did not arrive within
 *     {@link FailureDetectorSettings#maxSilenceBeforeSuspicion()}
 * @param suspectedSinceNanos when the current suspicion started, while SUSPECT
 * @param lastHeardNanos when anything last arrived from the peer over the direct link
 */
public record PeerState(
    String peer,
    PeerStatus status,
    double phi,
    OptionalLong lastRttNanos,
    OptionalLong smoothedRttNanos,
    long heartbeatsSent,
    long acksReceived,
    long acksMissed,
    OptionalLong suspectedSinceNanos,
    long lastHeardNanos) {

  public PeerState {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastRttNanos, "lastRttNanos");
    Objects.requireNonNull(smoothedRttNanos, "smoothedRttNanos");
    Objects.requireNonNull(suspectedSinceNanos, "suspectedSinceNanos");
  }
}

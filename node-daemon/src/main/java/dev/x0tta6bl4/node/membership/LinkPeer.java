package dev.x0tta6bl4.node.membership;

import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Mutable per-neighbour state of a {@link FailureDetector}. Owned by the detector's thread.
 *
 * <p>Three clocks are kept apart on purpose: {@code lastHeardNanos} is the true time of the last
 * direct arrival (used to answer probes honestly); {@code silenceStartNanos} is where phi's silence
 * is measured from (reset also by an ALIVE probe result, postponed over local pauses);
 * {@code lastDirectNanos} is the last direct arrival, postponed over local pauses (for the
 * direct-silence limit).
 */
final class LinkPeer {
  final String id;
  final PhiAccrualDetector phi;
  final HeartbeatLedger ledger = new HeartbeatLedger();
  PeerStatus status = PeerStatus.ALIVE;
  long lastHeardNanos;
  long silenceStartNanos;
  long lastDirectNanos;
  long lastScheduledHeartbeatNanos;
  boolean heartbeatSent;
  long lastRttNanos = -1;
  long smoothedRttNanos = -1;
  long suspectedSinceNanos;
  long suspicionDeadlineNanos;
  long probeId = -1;
  final Set<String> helpersAsked = new LinkedHashSet<>();
  boolean helperDenied;

  LinkPeer(String id, PhiAccrualDetector phi, long nowNanos) {
    this.id = id;
    this.phi = phi;
    this.lastHeardNanos = nowNanos;
    this.silenceStartNanos = nowNanos;
    this.lastDirectNanos = nowNanos;
  }

  long silence(long nowNanos) {
    return Math.max(0, nowNanos - silenceStartNanos);
  }

  double phiAt(long nowNanos) {
    return status == PeerStatus.DEAD ? 0.0 : phi.phiAfterSilence(silence(nowNanos));
  }

  void heardDirectly(long nowNanos) {
    lastHeardNanos = Math.max(lastHeardNanos, nowNanos);
    silenceStartNanos = Math.max(silenceStartNanos, nowNanos);
    lastDirectNanos = Math.max(lastDirectNanos, nowNanos);
  }

  void rttSample(long rttNanos) {
    lastRttNanos = rttNanos;
    smoothedRttNanos =
        smoothedRttNanos < 0 ? rttNanos : smoothedRttNanos + (rttNanos - smoothedRttNanos) / 8;
  }

  void suspect(long nowNanos, long timeoutNanos, long newProbeId) {
    status = PeerStatus.SUSPECT;
    suspectedSinceNanos = nowNanos;
    suspicionDeadlineNanos = nowNanos + timeoutNanos;
    probeId = newProbeId;
    helpersAsked.clear();
    helperDenied = false;
  }

  void clearSuspicion(PeerStatus newStatus) {
    status = newStatus;
    probeId = -1;
    helpersAsked.clear();
    helperDenied = false;
  }

  /** The local node was paused for {@code unobservedNanos} that must not count as silence. */
  void postpone(long unobservedNanos, long nowNanos) {
    silenceStartNanos = Math.min(silenceStartNanos + unobservedNanos, nowNanos);
    lastDirectNanos = Math.min(lastDirectNanos + unobservedNanos, nowNanos);
    if (status == PeerStatus.SUSPECT) {
      suspicionDeadlineNanos += unobservedNanos;
    }
  }

  PeerState snapshot(long nowNanos) {
    return new PeerState(
        id,
        status,
        phiAt(nowNanos),
        lastRttNanos < 0 ? OptionalLong.empty() : OptionalLong.of(lastRttNanos),
        smoothedRttNanos < 0 ? OptionalLong.empty() : OptionalLong.of(smoothedRttNanos),
        ledger.sent(),
        ledger.acked(),
        ledger.missed(),
        status == PeerStatus.SUSPECT ? OptionalLong.of(suspectedSinceNanos) : OptionalLong.empty(),
        lastHeardNanos);
  }
}

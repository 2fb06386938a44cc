package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HealingModule.LOCAL;

import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Raft detectors. Each keeps its own hysteresis state ({@link Persistence}) and runs on the
 * loop thread.
 */
final class RaftDetectors {
  private RaftDetectors() {}

  /**
   * {@code no-leader} about {@code local}: this member has known no leader for at least
   * {@code noLeaderGrace} (an election normally ends well within it), onset when it first knew
   * none. CRITICAL: writes and linearizable reads fail meanwhile.
   */
  static Detector noLeader(RaftHealing.Settings settings) {
    Persistence p = new Persistence();
    return Detector.of(RaftHealing.NO_LEADER, s -> {
      Optional<Double> known = value(s, RaftHealing.LEADER_KNOWN, LOCAL);
      if (known.isEmpty()) {
        p.forget(LOCAL); // no reading this tick (sensor failed): neither evidence nor absence
        return List.of();
      }
      p.hold(LOCAL, known.get() == 0, s.at(), 1);
      Optional<Instant> since = p.since(LOCAL);
      if (since.isEmpty()
          || Duration.between(since.get(), s.at()).compareTo(settings.noLeaderGrace()) < 0) {
        return List.of();
      }
      return List.of(new Detection(RaftHealing.NO_LEADER, LOCAL, Severity.CRITICAL,
          "no Raft leader known for " + Duration.between(since.get(), s.at()).toMillis()
              + " ms (term " + (long) s.value(RaftHealing.TERM, LOCAL).orElse(-1) + ", member "
              + RaftHealing.healthName(s.value(RaftHealing.HEALTH, LOCAL).orElse(-1)) + ")",
          since.get()));
    });
  }

  /**
   * {@code raft-leader-degraded} about this node's id: it leads and its node is degraded (see
   * {@link RaftHealing}) on {@code confirmTicks} consecutive ticks.
   */
  static Detector leaderDegraded(String selfId, RaftHealing.Settings settings) {
    Persistence p = new Persistence();
    return Detector.of(RaftHealing.LEADER_DEGRADED, s -> {
      boolean leader = s.value(RaftHealing.IS_LEADER, LOCAL).orElse(0) == 1;
      List<String> reasons = leader ? degradation(s, settings) : List.of();
      Optional<Instant> onset = p.hold(selfId, !reasons.isEmpty(), s.at(),
          settings.confirmTicks());
      return onset.map(t -> List.of(new Detection(RaftHealing.LEADER_DEGRADED, selfId,
          Severity.WARNING, "Raft leader " + selfId + " is degraded: " + String.join("; ",
              reasons), t))).orElse(List.of());
    });
  }

  /** Why this node makes a poor leader now; empty when it does not. */
  static List<String> degradation(Snapshot s, RaftHealing.Settings settings) {
    List<String> reasons = new ArrayList<>();
    double health = s.value(RaftHealing.HEALTH, LOCAL).orElse(-1);
    if (health == Health.DISK_LOW.ordinal() || health == Health.LOG_FAILED.ordinal()) {
      reasons.add("Raft member is " + RaftHealing.healthName(health));
    }
    double backlog = s.value(RaftHealing.APPLY_BACKLOG, LOCAL).orElse(0);
    if (backlog > settings.applyBacklogMax()) {
      reasons.add((long) backlog + " committed entries not applied (limit "
          + settings.applyBacklogMax() + ")");
    }
    int flags = (int) s.value(NodeHealing.DEGRADED, LOCAL).orElse(0);
    reasons.addAll(NodeHealing.degradedReasons(flags));
    return reasons;
  }

  /**
   * {@code follower-lagging} about a follower: this node leads and the follower trails by more
   * than {@code followerLagMax} entries or has not answered for more than
   * {@code followerContactMax}, on {@code confirmTicks} consecutive ticks.
   */
  static Detector followerLagging(RaftHealing.Settings settings) {
    Persistence p = new Persistence();
    return Detector.of(RaftHealing.FOLLOWER_LAGGING, s -> {
      boolean leader = s.value(RaftHealing.IS_LEADER, LOCAL).orElse(0) == 1;
      Map<String, Double> lags = leader ? s.metric(RaftHealing.FOLLOWER_LAG) : Map.of();
      p.retainOnly(lags.keySet());
      List<Detection> out = new ArrayList<>();
      double contactMax = settings.followerContactMax().toNanos() / 1e9;
      for (Map.Entry<String, Double> e : lags.entrySet()) {
        String peer = e.getKey();
        double contact = s.value(RaftHealing.PEER_CONTACT, peer).orElse(Double.MAX_VALUE);
        boolean behind = e.getValue() > settings.followerLagMax() || contact > contactMax;
        p.hold(peer, behind, s.at(), settings.confirmTicks()).ifPresent(t -> out.add(
            new Detection(RaftHealing.FOLLOWER_LAGGING, peer, Severity.WARNING, "follower "
                + peer + " trails by " + e.getValue().longValue() + " entries, last heard "
                + (contact == Double.MAX_VALUE ? "never" : String.format("%.1f s ago", contact)),
                t)));
      }
      return out;
    });
  }

  private static Optional<Double> value(Snapshot s, String metric, String subject) {
    var v = s.value(metric, subject);
    return v.isPresent() ? Optional.of(v.getAsDouble()) : Optional.empty();
  }
}

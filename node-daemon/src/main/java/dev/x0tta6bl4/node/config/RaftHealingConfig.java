package dev.x0tta6bl4.node.config;

import static dev.x0tta6bl4.node.config.NodeConfig.requireRange;
import static dev.x0tta6bl4.node.config.NodeConfig.requireValue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * Section {@code mapek.raft}: thresholds and timings of the self-healing of this node's Raft
 * member, and which actions the quorum veto counts (see {@code docs/healing-raft.md}). The node
 * maps it onto {@code heal.RaftHealing.Settings}; these defaults are the only copy of the
 * numbers.
 *
 * @param noLeaderGrace how long no leader may be known before {@code no-leader}, 100ms..10m
 * @param followerLagMax entries a follower may trail the leader's commit index, 1..10^9
 * @param applyBacklogMax committed but unapplied entries above which the leader is degraded,
 *     1..10^9
 * @param confirmTicks consecutive ticks a condition must hold before it is a symptom, 1..100
 * @param transferTimeout bound of one leadership transfer, 1s..10m
 * @param snapshotTimeout bound of one snapshot and purge, 1s..1h
 * @param rebuildTimeout bound of one rebuild of the Raft server, 1s..1h
 * @param cooldown least time between two starts of one action on one subject, 0s..1d
 * @param verifyWindow how long after an action its symptom must clear, 100ms..1h
 * @param voterAffectingActions action kinds that take their subject voter out of service and
 *     are therefore refused unless a majority of voters stays healthy; each kind once, and
 *     {@code transfer-leadership} and {@code rebuild-raft} always among them
 */
public record RaftHealingConfig(
    Duration noLeaderGrace,
    long followerLagMax,
    long applyBacklogMax,
    int confirmTicks,
    Duration transferTimeout,
    Duration snapshotTimeout,
    Duration rebuildTimeout,
    Duration cooldown,
    Duration verifyWindow,
    List<HealingAction> voterAffectingActions) {
  private static final String P = "mapek.raft.";

  /** Validates the values and copies the list. */
  public RaftHealingConfig {
    requireRange(P + "no-leader-grace", noLeaderGrace, Duration.ofMillis(100),
        Duration.ofMinutes(10));
    requireRange(P + "follower-lag-max", followerLagMax, 1L, 1_000_000_000L);
    requireRange(P + "apply-backlog-max", applyBacklogMax, 1L, 1_000_000_000L);
    requireRange(P + "confirm-ticks", confirmTicks, 1, 100);
    requireRange(P + "transfer-timeout", transferTimeout, Duration.ofSeconds(1),
        Duration.ofMinutes(10));
    requireRange(P + "snapshot-timeout", snapshotTimeout, Duration.ofSeconds(1),
        Duration.ofHours(1));
    requireRange(P + "rebuild-timeout", rebuildTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
    requireRange(P + "cooldown", cooldown, Duration.ZERO, Duration.ofDays(1));
    requireRange(P + "verify-window", verifyWindow, Duration.ofMillis(100), Duration.ofHours(1));
    String key = P + "voter-affecting-actions";
    String allowed = "a list of: " + ConfigJackson.enumAllowed(HealingAction.class);
    requireValue(key, voterAffectingActions, allowed);
    EnumSet<HealingAction> seen = EnumSet.noneOf(HealingAction.class);
    for (int i = 0; i < voterAffectingActions.size(); i++) {
      HealingAction kind = voterAffectingActions.get(i);
      requireValue(key + ".[" + i + "]", kind, ConfigJackson.enumAllowed(HealingAction.class));
      if (!seen.add(kind)) {
        throw ConfigException.invalid(key + ".[" + i + "]",
            "'" + kind.kind() + "' appears twice", "each action kind once");
      }
    }
    for (HealingAction required : List.of(HealingAction.TRANSFER_LEADERSHIP,
        HealingAction.REBUILD_RAFT)) {
      if (!seen.contains(required)) {
        throw ConfigException.invalid(key, "does not contain '" + required.kind() + "'",
            "a list that contains transfer-leadership and rebuild-raft (they take this member"
                + " out of service), plus any other kinds the quorum veto should count");
      }
    }
    voterAffectingActions = List.copyOf(voterAffectingActions);
  }

  /**
   * No leader tolerated for 3 s (elections normally end within two election timeouts), a
   * follower lagging beyond 1,000 entries, a leader degraded beyond 10,000 unapplied entries,
   * 2 ticks to confirm; transfers bounded by 10 s, snapshots and rebuilds by 30 s; 30 s
   * cooldown, 5 s to verify; the veto counts transfers, rebuilds and quarantines.
   */
  public static RaftHealingConfig defaults() {
    return new RaftHealingConfig(Duration.ofSeconds(3), 1_000, 10_000, 2, Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(5), List.of(HealingAction.TRANSFER_LEADERSHIP,
            HealingAction.REBUILD_RAFT, HealingAction.QUARANTINE_PEER));
  }
}

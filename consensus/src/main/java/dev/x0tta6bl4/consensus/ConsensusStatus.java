package dev.x0tta6bl4.consensus;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A point-in-time view of this node's Raft member, for the status API and the MAPE-K sensors.
 *
 * @param lastSnapshotIndex -1 when this node holds no snapshot
 * @param followers per-follower replication lag; empty unless this node leads
 * @param logFailure the last Raft log write failure, when one happened (writes fail until the
 *     server is rebuilt)
 */
public record ConsensusStatus(
    String nodeId,
    Role role,
    Optional<String> leaderId,
    long term,
    long commitIndex,
    long appliedIndex,
    long lastSnapshotIndex,
    Optional<Duration> lastSnapshotAge,
    List<FollowerLag> followers,
    String serverState,
    Optional<String> logFailure) {

  /** Raft role of this member. */
  public enum Role {
    LEADER, FOLLOWER, CANDIDATE, LISTENER, UNKNOWN
  }

  /** How far one follower is behind the leader's commit index. */
  public record FollowerLag(String peerId, long commitIndex, long lag) {}

  public ConsensusStatus {
    followers = List.copyOf(followers);
  }
}

package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HealingModule.LOCAL;

import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads this node's Raft member once per tick (see {@link RaftHealing} for the reading names).
 * Besides the raw values it judges which voters are known to be healthy, for the quorum veto:
 * this member itself when it serves as leader or follower with a working log; as leader, every
 * follower whose last reply is at most {@code followerContactMax} old and whose commit index is
 * at most {@code followerLagMax} behind; as follower, the leader while it is heard from. Every
 * other voter stays unknown (no {@code raft.voter_healthy} reading), which the veto treats as
 * unhealthy. Runs on the loop thread; in-memory reads plus one directory listing.
 */
final class RaftSensor implements Sensor {
  private final RaftMember member;
  private final RaftHealing.Settings settings;

  RaftSensor(RaftMember member, RaftHealing.Settings settings) {
    this.member = member;
    this.settings = settings;
  }

  @Override
  public String name() {
    return "raft";
  }

  @Override
  public List<Reading> read() {
    List<Reading> out = new ArrayList<>();
    String self = member.selfId();
    SupervisorStatus st;
    try {
      st = member.status();
    } catch (IllegalStateException e) {
      out.add(new Reading(RaftHealing.RUNNING, LOCAL, 0));
      out.add(new Reading(RaftHealing.LEADER_KNOWN, LOCAL, 0));
      out.add(new Reading(QuorumVeto.VOTER_HEALTHY, self, 0));
      return out;
    }
    ConsensusStatus raft = st.raft();
    boolean running = "RUNNING".equals(raft.serverState())
        && st.health() != SupervisorStatus.Health.CLOSED
        && st.health() != SupervisorStatus.Health.DOWN;
    boolean leader = raft.role() == ConsensusStatus.Role.LEADER;
    out.add(new Reading(RaftHealing.RUNNING, LOCAL, running ? 1 : 0));
    out.add(new Reading(RaftHealing.HEALTH, LOCAL, st.health().ordinal()));
    out.add(new Reading(RaftHealing.IS_LEADER, LOCAL, leader ? 1 : 0));
    out.add(new Reading(RaftHealing.LEADER_KNOWN, LOCAL, raft.leaderId().isPresent() ? 1 : 0));
    raft.leaderId().ifPresent(id -> out.add(new Reading(RaftHealing.LEADER, id, 1)));
    out.add(new Reading(RaftHealing.TERM, LOCAL, raft.term()));
    out.add(new Reading(RaftHealing.COMMIT_INDEX, LOCAL, raft.commitIndex()));
    out.add(new Reading(RaftHealing.APPLIED_INDEX, LOCAL, raft.appliedIndex()));
    out.add(new Reading(RaftHealing.APPLY_BACKLOG, LOCAL,
        Math.max(0, raft.commitIndex() - raft.appliedIndex())));
    out.add(new Reading(RaftHealing.SNAPSHOT_INDEX, LOCAL, raft.lastSnapshotIndex()));
    raft.lastSnapshotAge().ifPresent(a ->
        out.add(new Reading(RaftHealing.SNAPSHOT_AGE, LOCAL, seconds(a))));
    st.diskFreeBytes().ifPresent(f -> out.add(new Reading(RaftHealing.DISK_FREE, LOCAL, f)));
    out.add(new Reading(RaftHealing.LOG_BYTES, LOCAL, member.logSizeBytes()));

    try {
      for (String v : member.voterIds()) {
        out.add(new Reading(QuorumVeto.VOTER, v, 1));
      }
    } catch (RuntimeException e) {
      // No voter set: the veto refuses every voter-affecting action, which is what we want.
    }
    boolean selfHealthy = running && raft.logFailure().isEmpty()
        && (st.health() == SupervisorStatus.Health.OK
            || st.health() == SupervisorStatus.Health.DISK_LOW)
        && (leader || raft.role() == ConsensusStatus.Role.FOLLOWER)
        && raft.leaderId().isPresent();
    out.add(new Reading(QuorumVeto.VOTER_HEALTHY, self, selfHealthy ? 1 : 0));

    Map<String, Duration> contact = member.peerContact();
    contact.forEach((peer, age) ->
        out.add(new Reading(RaftHealing.PEER_CONTACT, peer, seconds(age))));
    if (leader) {
      for (ConsensusStatus.FollowerLag f : raft.followers()) {
        out.add(new Reading(RaftHealing.FOLLOWER_LAG, f.peerId(), f.lag()));
        Duration age = contact.get(f.peerId());
        boolean healthy = age != null && age.compareTo(settings.followerContactMax()) <= 0
            && f.lag() <= settings.followerLagMax();
        out.add(new Reading(QuorumVeto.VOTER_HEALTHY, f.peerId(), healthy ? 1 : 0));
      }
    } else if (raft.leaderId().isPresent() && !raft.leaderId().get().equals(self)) {
      Duration age = contact.get(raft.leaderId().get());
      boolean heard = age != null && age.compareTo(settings.followerContactMax()) <= 0;
      out.add(new Reading(QuorumVeto.VOTER_HEALTHY, raft.leaderId().get(), heard ? 1 : 0));
    }
    return out;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

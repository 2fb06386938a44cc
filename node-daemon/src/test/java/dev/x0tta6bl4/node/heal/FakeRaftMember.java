package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.ConsensusStatus.Role;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A Raft member whose state the test sets and whose remedies change it like the real ones. */
class FakeRaftMember implements RaftMember {
  final String self;
  final List<String> voters;
  Role role = Role.LEADER;
  String leader;
  SupervisorStatus.Health health = SupervisorStatus.Health.OK;
  long commit = 100;
  long applied = 100;
  long logBytes = 1_000;
  long logBytesAfterPurge = 100;
  final Map<String, Long> lag = new LinkedHashMap<>();
  final Map<String, Duration> contact = new LinkedHashMap<>();
  final List<String> calls = new ArrayList<>();
  boolean failRebuild;

  FakeRaftMember(String self, List<String> voters) {
    this.self = self;
    this.voters = List.copyOf(voters);
    this.leader = self;
    for (String v : voters) {
      if (!v.equals(self)) {
        lag.put(v, 0L);
        contact.put(v, Duration.ofMillis(100));
      }
    }
  }

  @Override
  public String selfId() {
    return self;
  }

  @Override
  public SupervisorStatus status() {
    List<ConsensusStatus.FollowerLag> followers = new ArrayList<>();
    if (role == Role.LEADER) {
      lag.forEach((p, l) -> followers.add(new ConsensusStatus.FollowerLag(p, commit - l, l)));
    }
    String state = health == SupervisorStatus.Health.DOWN ? "CLOSED" : "RUNNING";
    return new SupervisorStatus(new ConsensusStatus(self, role, Optional.ofNullable(leader), 3,
        commit, applied, 50, Optional.of(Duration.ofSeconds(10)), followers, state,
        Optional.empty()), health, OptionalLong.of(10L << 30), 64L << 20, 0, Optional.empty(),
        Optional.empty());
  }

  @Override
  public Map<String, Duration> peerContact() {
    if (role == Role.LEADER) {
      return Map.copyOf(contact);
    }
    return leader == null || leader.equals(self) ? Map.of()
        : Map.of(leader, contact.getOrDefault(leader, Duration.ofMillis(100)));
  }

  @Override
  public long logSizeBytes() {
    return logBytes;
  }

  @Override
  public List<String> voterIds() {
    return voters;
  }

  @Override
  public CompletableFuture<Void> transferLeadership(String to) {
    calls.add("transfer " + to);
    role = Role.FOLLOWER;
    leader = to;
    contact.put(to, Duration.ofMillis(50));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Long> snapshotAndPurge() {
    calls.add("snapshot");
    logBytes = logBytesAfterPurge;
    return CompletableFuture.completedFuture(applied);
  }

  @Override
  public void rebuildNow(String why) {
    calls.add("rebuild");
    if (failRebuild) {
      throw new IllegalStateException("port taken");
    }
    health = SupervisorStatus.Health.OK;
  }
}

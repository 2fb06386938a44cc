package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.consensus.SupervisorStatus;
import dev.x0tta6bl4.node.ConsensusComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link RaftHealing} needs of this node's Raft member: its status for the sensors and the
 * three remedies. {@link #of(ConsensusComponent)} adapts the node's component; tests give a fake.
 * The reads are in-memory (plus one directory listing for the log size) and never block on the
 * network; the remedies complete asynchronously except {@link #rebuildNow}, which blocks its
 * caller (an executor thread of the loop) for about a second.
 */
interface RaftMember {
  String selfId();

  /** The supervisor's view, read now. @throws IllegalStateException when the member is not running */
  SupervisorStatus status();

  Map<String, Duration> peerContact();

  long logSizeBytes();

  List<String> voterIds();

  CompletableFuture<Void> transferLeadership(String to);

  CompletableFuture<Long> snapshotAndPurge();

  void rebuildNow(String why);

  static RaftMember of(ConsensusComponent component) {
    Objects.requireNonNull(component, "component");
    return new RaftMember() {
      @Override
      public String selfId() {
        return component.config().nodeId();
      }

      @Override
      public SupervisorStatus status() {
        return component.status();
      }

      @Override
      public Map<String, Duration> peerContact() {
        return component.peerContact();
      }

      @Override
      public long logSizeBytes() {
        return component.logSizeBytes();
      }

      @Override
      public List<String> voterIds() {
        return component.voterIds();
      }

      @Override
      public CompletableFuture<Void> transferLeadership(String to) {
        return component.transferLeadership(to);
      }

      @Override
      public CompletableFuture<Long> snapshotAndPurge() {
        return component.snapshotAndPurge();
      }

      @Override
      public void rebuildNow(String why) {
        component.rebuildNow(why);
      }
    };
  }
}

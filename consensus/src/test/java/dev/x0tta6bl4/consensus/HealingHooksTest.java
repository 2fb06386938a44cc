package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks the node's self-healing loop uses: peer contact as leader and follower, a snapshot
 * followed by a purge of the log behind it, and a rebuild on request.
 */
class HealingHooksTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void peerContact_leaderSeesEveryFollower_followerSeesTheLeader() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, b -> b)) {
      c.startAll();
      String leader = c.awaitLeader(LONG);
      c.node(leader).put("k", new byte[] {1}).get(10, TimeUnit.SECONDS);
      // Ratis names a follower in its role info once its log appender knows the peer; under
      // heavy load one may stay unnamed for a long while (the sensor then treats it as unknown).
      TestCluster.await(LONG, () -> !c.node(leader).peerContact().isEmpty(),
          "the leader to report its followers: " + roleInfo(c.node(leader)));
      Map<String, Duration> contact = c.node(leader).peerContact();
      assertThat(contact.keySet()).doesNotContain(leader).isSubsetOf(c.voters.stream()
          .map(Voter::id).toList());
      assertThat(contact.values()).allSatisfy(d -> assertThat(d).isLessThan(LONG));
      // A follower names exactly its current leader (elections may move leadership meanwhile).
      TestCluster.await(LONG, () -> c.voters.stream().map(v -> c.node(v.id())).anyMatch(n -> {
        ConsensusStatus st = n.status();
        return st.role() == ConsensusStatus.Role.FOLLOWER && st.leaderId().isPresent()
            && n.peerContact().keySet().equals(java.util.Set.of(st.leaderId().get()));
      }), "a follower to report exactly its leader");
    }
  }

  private static String roleInfo(ReplicatedStore s) {
    try {
      return s.raftServer().getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(
          s.config().groupId())).getInfo().getRoleInfoProto().toString();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  @Test
  void snapshotThenPurgeLog_movesTheLogStartAndShrinksTheLog() throws Exception {
    // 64 KiB segments, no automatic snapshot before 4,096 entries, 10 entries kept behind the
    // purge point; Ratis purges only 2,048 (half the threshold) or more entries at once.
    try (TestCluster c = new TestCluster(dir, 1, b -> b.snapshotThreshold(4_096)
        .segmentSizeBytes(64 << 10).logPreservedEntries(10))) {
      c.startAll();
      ReplicatedStore s = c.node(c.awaitLeader(LONG));
      byte[] value = new byte[1 << 10];
      for (int i = 0; i < 1_200; i++) {
        s.put("k" + (i % 10), value).get(10, TimeUnit.SECONDS);
      }
      long sizeBefore = s.logSizeBytes();
      long startBefore = s.logStartIndex();
      long index = s.snapshot().get(10, TimeUnit.SECONDS);
      long purged = s.purgeLog(index).get(10, TimeUnit.SECONDS);

      // Ratis purges behind the new snapshot by itself; the explicit purge may find nothing left.
      assertThat(purged).isLessThanOrEqualTo(index);
      TestCluster.await(LONG, () -> s.logStartIndex() > startBefore, "the log start to move");
      TestCluster.await(LONG, () -> s.logSizeBytes() < sizeBefore,
          "the purged segments to be deleted (" + sizeBefore + " bytes before)");
    }
  }

  @Test
  void rebuildNow_healthyMember_rebuiltAndCountedAsRequested() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    ConsensusConfig config = ConsensusConfig.builder("n1", dir.resolve("n1"))
        .voters(List.of(new Voter("n1", "127.0.0.1", TestCluster.freePort()))).build();
    ConsensusSupervisor supervisor = ConsensusSupervisor.start(config,
        SupervisorConfig.builder().checkInterval(Duration.ofHours(1)).build(), registry,
        scheduler);
    try {
      ReplicatedStore before = supervisor.store();
      supervisor.rebuildNow("test");

      assertThat(supervisor.store()).isNotSameAs(before);
      assertThat(supervisor.status().rebuilds()).isEqualTo(1);
      assertThat(supervisor.status().lastRebuild()).hasValueSatisfying(r ->
          assertThat(r.reason()).contains("requested: test"));
      assertThat(registry.get("meshd.raft.rebuilds").tag("reason", "requested").counter()
          .count()).isEqualTo(1.0);
      TestCluster.await(LONG, () -> supervisor.store().status().role()
          == ConsensusStatus.Role.LEADER, "the rebuilt member to lead again");
    } finally {
      supervisor.close();
      scheduler.shutdownNow();
    }
    assertThatThrownBy(() -> supervisor.rebuildNow("late"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}

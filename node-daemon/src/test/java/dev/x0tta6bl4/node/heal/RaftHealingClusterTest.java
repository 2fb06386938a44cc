package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_STARTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_SUCCEEDED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ADVISED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.DETECTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.RESOLVED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's Raft and node scenarios on three real nodes (one Raft group over mutual TLS), each
 * running the Raft and node healing modules: detection, action, verified recovery and the
 * incident's timeline; and advise mode, where the same faults produce plans and the world stays
 * as it was.
 */
class RaftHealingClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration RECOVER = Duration.ofSeconds(15);

  @TempDir Path dir;

  private static IncidentView resolved(HealingCluster h, int node, String kind, Instant from) {
    LocalCluster.await(() -> h.incidents(node, kind, from).stream()
            .anyMatch(v -> !v.open()), RECOVER,
        () -> kind + " resolved on n" + node + ": " + h.incidents(node));
    return h.incidents(node, kind, from).stream().filter(v -> !v.open()).findFirst()
        .orElseThrow();
  }

  private static void assertHealedTimeline(IncidentView v, String actionKind) {
    assertThat(TestLoops.types(v)).as(v.timeline().toString())
        .startsWith(DETECTED).contains(ACTION_STARTED, ACTION_SUCCEEDED, VERIFIED)
        .endsWith(RESOLVED);
    assertThat(v.resolution()).as(v.timeline().toString())
        .startsWith("resolved by " + actionKind + "/");
  }

  @Test
  void leaderOnDegradedNode_leadershipMovesToAHealthyFollower() {
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      // On a busy machine an election may move leadership before the loop does ("cleared
      // without action"); then the fault is injected again on the new leader, at most 3 times.
      IncidentView v = null;
      int old = -1;
      Instant fault = null;
      for (int attempt = 1; attempt <= 3 && v == null; attempt++) {
        LocalCluster.await(() -> h.leader() >= 0 && h.allQuiet(), CONVERGE,
            () -> "a leader and no open incident");
        int leader = h.leader();
        old = leader;
        fault = Instant.now();
        Instant from = fault;
        h.fillDisk(leader);
        LocalCluster.await(() -> h.incidents(leader, RaftHealing.LEADER_DEGRADED, from).stream()
                .anyMatch(x -> !x.open()), RECOVER,
            () -> "raft-leader-degraded resolved on n" + leader + ": " + h.incidents(leader));
        IncidentView done = h.incidents(leader, RaftHealing.LEADER_DEGRADED, from).stream()
            .filter(x -> !x.open()).findFirst().orElseThrow();
        h.freeDisk(leader);
        if (done.resolution().startsWith("resolved by ")) {
          v = done;
        } else {
          System.out.printf("attempt %d: %s (an election moved leadership first)%n", attempt,
              done.resolution());
        }
      }
      assertThat(v).as("a transfer by the loop within 3 attempts").isNotNull();
      int moved = old;
      LocalCluster.await(() -> h.leader() >= 0 && h.leader() != moved, RECOVER,
          () -> "leadership away from n" + moved);
      assertThat(v.subject()).isEqualTo("n" + old);
      assertThat(v.symptoms().get(0).evidence()).contains("free disk below the floor");
      assertHealedTimeline(v, RaftHealing.TRANSFER_LEADERSHIP);
      System.out.printf("leader-degraded: n%d -> n%d, time to recover %d ms%n", old, h.leader(),
          Duration.between(fault, v.resolvedAt()).toMillis());
      assertThat(h.violations).isEmpty();
    }
  }

  @Test
  void leaderDegradedWhileAFollowerIsDown_vetoKeepsLeadership() {
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      int old = h.leader();
      int down = (old + 1) % 3;
      h.cluster.node(down).crash();
      LocalCluster.await(() -> h.loops.get(old).lastPlan().isPresent(), CONVERGE, () -> "a plan");
      // The leader only learns the follower is gone when its replies stop (3 s contact limit).
      LocalCluster.await(() -> h.incidents(old).stream().anyMatch(
              v -> v.kind().equals(RaftHealing.FOLLOWER_LAGGING)), RECOVER,
          () -> "follower n" + down + " reported silent: " + h.incidents(old));
      h.fillDisk(old);

      LocalCluster.await(() -> h.incidents(old).stream().anyMatch(v ->
              v.kind().equals(RaftHealing.LEADER_DEGRADED) && v.timeline().stream()
                  .anyMatch(e -> e.detail().contains("transfer-leadership/n" + old + ": veto"))),
          RECOVER, () -> "the transfer vetoed: " + h.incidents(old));
      LocalCluster.await(() -> h.loops.get(old).lastPlan().orElseThrow().rejected().stream()
              .anyMatch(r -> r.toString().contains("quorum")), RECOVER,
          () -> "the veto's reason: " + h.loops.get(old).lastPlan());

      assertThat(h.leader()).isEqualTo(old);
      assertThat(h.started).noneMatch(s -> s.contains(RaftHealing.TRANSFER_LEADERSHIP));
      assertThat(h.violations).isEmpty();
    }
  }

  @Test
  void raftLogOverItsLimit_snapshotAndPurgeOnEveryMember() throws Exception {
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      long[] startBefore = new long[3];
      for (int i = 0; i < 3; i++) {
        startBefore[i] = h.raft(i).store().logStartIndex();
      }
      Instant fault = Instant.now();
      int writes = h.growLog("grow/");
      Instant crossed = Instant.now();

      List<IncidentView> healed = h.awaitLogHealed(fault, RECOVER);

      assertThat(healed).extracting(IncidentView::subject).isNotEmpty();
      for (IncidentView v : healed) {
        assertHealedTimeline(v, RaftHealing.SNAPSHOT_AND_PURGE);
        System.out.printf("disk-pressure: %d writes, time to recover %d ms after the limit was"
            + " crossed%n", writes, Duration.between(crossed, v.resolvedAt()).toMillis());
      }
      int purged = 0;
      for (int i = 0; i < 3; i++) {
        if (h.raft(i).store().logStartIndex() > startBefore[i]) {
          purged++;
        }
        System.out.printf("  n%d log %d bytes from index %d%n", i, h.raft(i).logSizeBytes(),
            h.raft(i).store().logStartIndex());
      }
      assertThat(purged).as("members whose log was purged").isGreaterThanOrEqualTo(healed.size());
    }
  }

  @Test
  void certificateNearExpiry_rotatedBeforeItExpires() {
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      Instant fault = Instant.now();
      h.shortenCertificate(1);

      IncidentView v = resolved(h, 1, NodeHealing.CERT_NEAR_EXPIRY, fault);

      assertHealedTimeline(v, NodeHealing.ROTATE_CERT);
      assertThat(h.certSecondsLeft(1)).isGreaterThan(
          HealingCluster.CERT_RENEW_BEFORE.toSeconds());
      // The rotated node still talks Raft with the others over TLS with its new SVID.
      int l = h.leader();
      assertThat(l).isNotNegative();
      System.out.printf("cert-near-expiry: time to recover %d ms, %d s left now%n",
          Duration.between(fault, v.resolvedAt()).toMillis(), h.certSecondsLeft(1));
    }
  }

  @Test
  void hostedByTheNodesHealingComponent_certificateNearExpiry_rotated() {
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO, true)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      Instant fault = Instant.now();
      h.shortenCertificate(2);

      IncidentView v = resolved(h, 2, NodeHealing.CERT_NEAR_EXPIRY, fault);

      assertHealedTimeline(v, NodeHealing.ROTATE_CERT);
      assertThat(h.certSecondsLeft(2)).isGreaterThan(
          HealingCluster.CERT_RENEW_BEFORE.toSeconds());
    }
  }

  @Test
  void adviseMode_sameFaults_plansOnlyAndTheWorldIsUnchanged() throws Exception {
    try (HealingCluster h = new HealingCluster(dir, Mode.ADVISE)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      int leader = h.leader();
      int other = (leader + 1) % 3;
      h.fillDisk(leader);
      h.shortenCertificate(other);
      h.growLog("advise/");
      long certLeft = h.certSecondsLeft(other);

      for (String kind : List.of(RaftHealing.LEADER_DEGRADED, NodeHealing.DISK_PRESSURE)) {
        LocalCluster.await(() -> advised(h, leader, kind), RECOVER,
            () -> kind + " advised on n" + leader + ": " + h.incidents(leader));
      }
      LocalCluster.await(() -> advised(h, other, NodeHealing.CERT_NEAR_EXPIRY), RECOVER,
          () -> "cert-near-expiry advised on n" + other + ": " + h.incidents(other));

      assertThat(h.started).as("no action in advise mode").isEmpty();
      assertThat(h.leader()).isEqualTo(leader);
      assertThat(h.certSecondsLeft(other)).isLessThanOrEqualTo(certLeft);
      // Nothing purged the log: it stays over its limit, the incident open.
      assertThat(h.raft(leader).logSizeBytes()).isGreaterThan(HealingCluster.LOG_MAX_BYTES);
      assertThat(h.incidents(leader)).filteredOn(v -> v.kind().equals(NodeHealing.DISK_PRESSURE))
          .allMatch(IncidentView::open);
      assertThat(h.incidents(leader)).filteredOn(v -> v.kind().equals(
          RaftHealing.LEADER_DEGRADED)).first().satisfies(v -> assertThat(v.timeline())
          .anySatisfy(e -> assertThat(e.detail()).contains(RaftHealing.TRANSFER_LEADERSHIP)));
    }
  }

  private static boolean advised(HealingCluster h, int node, String kind) {
    return h.incidents(node).stream().anyMatch(v -> v.kind().equals(kind)
        && v.timeline().stream().anyMatch(e -> e.type() == ADVISED));
  }

}

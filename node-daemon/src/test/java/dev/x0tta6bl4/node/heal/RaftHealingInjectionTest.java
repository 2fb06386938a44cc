package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's acceptance for the Raft and node kinds: seeded repeated fault injection on three
 * real nodes (degraded leader, Raft log over its limit, certificate near expiry), each recovery
 * timed, p95 time to recover under 3 s, and the quorum invariant checked at every action start
 * against the nodes' real state (see {@link HealingCluster}). The seed is printed; set
 * {@code -Dheal.seed=N} to replay an order. The default run has 20 injections (with 14 the
 * nearest-rank p95 would be the maximum); the {@code chaos-full} variant 40.
 *
 * <p>Time to recover: for a degraded leader and a near-expiry certificate, from the moment the
 * fault was injected (disk probe set, SVID files written) to the incident's resolution; for the
 * log, from the tick that first saw it over the limit (the writes that push it there take a few
 * seconds) to the resolution, the worst of the three members.
 */
class RaftHealingInjectionTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration RECOVER = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void seededInjections_p95TimeToRecoverUnder3s_quorumNeverCost() throws Exception {
    run(20);
  }

  @Tag("chaos-full")
  @Test
  void seededInjections_long() throws Exception {
    run(40);
  }

  private void run(int injections) throws Exception {
    long seed = Long.getLong("heal.seed", 20261205L);
    System.out.printf("RaftHealingInjectionTest seed=%d injections=%d%n", seed, injections);
    Random random = new Random(seed);
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < injections; i++) {
      kinds.add(List.of(RaftHealing.LEADER_DEGRADED, NodeHealing.DISK_PRESSURE,
          NodeHealing.CERT_NEAR_EXPIRY).get(i % 3));
    }
    Collections.shuffle(kinds, random);
    List<Long> ttr = new ArrayList<>();
    try (HealingCluster h = new HealingCluster(dir, Mode.AUTO)) {
      LocalCluster.await(() -> h.leader() >= 0, CONVERGE, () -> "a Raft leader");
      for (int n = 0; n < kinds.size(); n++) {
        LocalCluster.await(() -> h.leader() >= 0 && h.allQuiet(), CONVERGE,
            () -> "a leader and no open incident before the next injection");
        String kind = kinds.get(n);
        long ms = switch (kind) {
          case RaftHealing.LEADER_DEGRADED -> degradeLeader(h);
          case NodeHealing.DISK_PRESSURE -> overfillLog(h, "inj" + n + "/");
          default -> expireCertificate(h, random.nextInt(3));
        };
        ttr.add(ms);
        System.out.printf("injection %2d %-20s time to recover %5d ms%n", n, kind, ms);
      }
      System.out.printf("actions started: %d; quorum invariant violations: %d%n",
          h.started.size(), h.violations.size());
      h.started.forEach(s -> System.out.println("  " + s));
      assertThat(h.violations).as("quorum invariant at every action start").isEmpty();
      assertThat(h.tickFailures()).isZero();
    }
    List<Long> sorted = new ArrayList<>(ttr);
    Collections.sort(sorted);
    long p50 = sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
    long p95 = sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
    System.out.printf("time to recover over %d injections (seed %d): p50 %d ms, p95 %d ms,"
        + " max %d ms, all %s%n", ttr.size(), seed, p50, p95, sorted.get(sorted.size() - 1), ttr);
    assertThat(p95).as("p95 time to recover, ms (seed %d)", seed).isLessThan(3_000);
  }

  private static long degradeLeader(HealingCluster h) {
    int old = h.leader();
    Instant fault = Instant.now();
    h.fillDisk(old);
    try {
      LocalCluster.await(() -> h.incidents(old, RaftHealing.LEADER_DEGRADED, fault).stream()
              .anyMatch(v -> !v.open()), RECOVER,
          () -> "raft-leader-degraded resolved on n" + old + ": " + h.incidents(old));
      IncidentView v = h.incidents(old, RaftHealing.LEADER_DEGRADED, fault).stream()
          .filter(x -> !x.open()).findFirst().orElseThrow();
      // An election on a busy machine may move leadership before the loop does: that is a
      // recovery too ("cleared without action"), printed and counted as such.
      assertThat(v.resolution()).as(v.timeline().toString())
          .matches("resolved by " + RaftHealing.TRANSFER_LEADERSHIP + "/.*|cleared without action");
      System.out.printf("  n%d: %s%s%n", old, v.resolution(),
          Duration.between(fault, v.resolvedAt()).toMillis() > 2_000 ? " " + v.timeline() : "");
      return Duration.between(fault, v.resolvedAt()).toMillis();
    } finally {
      h.freeDisk(old);
    }
  }

  private static long overfillLog(HealingCluster h, String prefix) throws Exception {
    Instant start = Instant.now();
    h.growLog(prefix);
    List<IncidentView> healed = h.awaitLogHealed(start, RECOVER);
    long worst = 0;
    for (IncidentView v : healed) {
      worst = Math.max(worst, Duration.between(v.firstSeen(), v.resolvedAt()).toMillis());
    }
    return worst;
  }

  private static long expireCertificate(HealingCluster h, int node) {
    Instant fault = Instant.now();
    h.shortenCertificate(node);
    LocalCluster.await(() -> h.incidents(node, NodeHealing.CERT_NEAR_EXPIRY, fault).stream()
            .anyMatch(v -> !v.open()), RECOVER,
        () -> "cert-near-expiry resolved on n" + node + ": " + h.incidents(node));
    IncidentView v = h.incidents(node, NodeHealing.CERT_NEAR_EXPIRY, fault).stream()
        .filter(x -> !x.open()).findFirst().orElseThrow();
    assertThat(v.resolution()).as(v.timeline().toString())
        .startsWith("resolved by " + NodeHealing.ROTATE_CERT);
    return Duration.between(fault, v.resolvedAt()).toMillis();
  }
}

package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.cluster.LocalCluster.Death;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link layer's acceptance scenarios on five real nodes (TLS on loopback): links form,
 * a partitioned node is declared dead by every neighbour within the bound, a node whose
 * sockets close is declared dead at once, and healed links come back. Figures are printed
 * as "figure:" lines and recorded in docs/benchmarks.md.
 */
class LinkFailureScenariosIT {
  private static final int NODES = 5;
  private static final int TRIALS = 20;

  @TempDir Path dir;
  private LocalCluster cluster;

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(dir, NODES, Topology.FULL);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void fiveNodes_formFullMeshWithinTwoSeconds() {
    long t0 = System.nanoTime();
    cluster.awaitTopology(Duration.ofSeconds(2));
    System.out.printf("figure: 5-node full mesh formed %.0f ms after the last node started%n",
        (System.nanoTime() - t0) / 1e6);
    assertThat(cluster.establishedEdges()).hasSize(NODES * (NODES - 1) / 2);
  }

  @Test
  void partitionedNode_everyNeighbourDeclaresItDead_p99WithinOneSecond_andLinksReturnWithinTwo() {
    cluster.awaitTopology(Duration.ofSeconds(5));
    List<Long> detections = new ArrayList<>();
    List<Long> recoveries = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      ClusterNode victim = cluster.node(trial % NODES);
      cluster.clearDeaths();
      long cut = System.nanoTime();
      cluster.faults().partition(victim.id());
      LocalCluster.await(() -> deathsOf(victim.id()).size() == NODES - 1, Duration.ofSeconds(5),
          () -> "every neighbour declares " + victim.id() + " dead: " + cluster.deaths());
      for (Death death : deathsOf(victim.id())) {
        detections.add(death.atNanos() - cut);
      }
      long heal = System.nanoTime();
      cluster.faults().heal(victim.id());
      cluster.awaitTopology(Duration.ofSeconds(5));
      recoveries.add(System.nanoTime() - heal);
    }
    long p50 = percentile(detections, 50);
    long p99 = percentile(detections, 99);
    System.out.printf("figure: partition detection over %d trials x %d neighbours: p50 %.0f ms,"
            + " p99 %.0f ms, max %.0f ms%n", TRIALS, NODES - 1, p50 / 1e6, p99 / 1e6,
        Collections.max(detections) / 1e6);
    System.out.printf("figure: links back after heal: p50 %.0f ms, max %.0f ms%n",
        percentile(recoveries, 50) / 1e6, Collections.max(recoveries) / 1e6);
    assertThat(p99).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    assertThat(Collections.max(recoveries)).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
  }

  @Test
  void closedSockets_everyNeighbourDeclaresItDeadWithin100ms() {
    cluster.awaitTopology(Duration.ofSeconds(5));
    List<Long> detections = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      ClusterNode victim = cluster.node(trial % NODES);
      cluster.clearDeaths();
      long drop = System.nanoTime();
      victim.links().dropAllConnections();
      LocalCluster.await(() -> deathsOf(victim.id()).size() == NODES - 1, Duration.ofSeconds(5),
          () -> "every neighbour sees " + victim.id() + " closed: " + cluster.deaths());
      for (Death death : deathsOf(victim.id())) {
        assertThat(death.reason()).isEqualTo("link_closed");
        detections.add(death.atNanos() - drop);
      }
      cluster.awaitTopology(Duration.ofSeconds(5));
    }
    System.out.printf("figure: closed-socket detection over %d trials: p50 %.1f ms, max %.1f ms%n",
        TRIALS, percentile(detections, 50) / 1e6, Collections.max(detections) / 1e6);
    assertThat(Collections.max(detections)).isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
  }

  /** The first death of {@code peer} reported by each observer. */
  private List<Death> deathsOf(String peer) {
    java.util.Map<String, Death> first = new java.util.LinkedHashMap<>();
    for (Death d : cluster.deaths()) {
      if (d.peer().equals(peer)) {
        first.putIfAbsent(d.observer(), d);
      }
    }
    return List.copyOf(first.values());
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return dev.x0tta6bl4.node.cluster.TrafficProbe.percentile(sorted, p);
  }
}

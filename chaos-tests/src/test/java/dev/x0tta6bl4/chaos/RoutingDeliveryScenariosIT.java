package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.TrafficProbe;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing and end-to-end delivery on real nodes over post-quantum TLS on loopback: multi-hop
 * delivery on a line, and (in the other scenario classes) reroute on a ring and broadcast.
 */
class RoutingDeliveryScenariosIT {
  @TempDir Path dir;

  @Test
  void lineOfFive_messageFromFirstToLastDeliveredOnceOverFourHops() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 5, Topology.LINE)) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      LocalCluster.await(
          () -> cluster.node(0).mesh().routeTable().route("n4").map(r -> r.hops() == 4).orElse(false),
          Duration.ofSeconds(5), () -> "n0 has a 4-hop route to n4: " + cluster.node(0).mesh().routeTable().routes());
      List<MeshService.InboundMessage> received = Collections.synchronizedList(new ArrayList<>());
      cluster.node(4).mesh().subscribe("greetings", received::add);

      MeshService.Accepted accepted = cluster.node(0).mesh()
          .send("n4", "greetings", "hello over four hops".getBytes(StandardCharsets.UTF_8), null)
          .get(5, TimeUnit.SECONDS);
      MeshService.Outcome outcome = accepted.outcome().get(10, TimeUnit.SECONDS);

      assertThat(outcome.delivered()).isTrue(); // attempts > 1 only when the machine stalls
      LocalCluster.await(() -> received.size() == 1, Duration.ofSeconds(2), received::toString);
      assertThat(received).singleElement().satisfies(m -> {
        assertThat(m.source()).isEqualTo("n0");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hello over four hops");
        assertThat(m.messageId()).isEqualTo(accepted.messageId());
      });
      System.out.printf("figure: line of 5, n0->n4 over 4 hops: round trip %.1f ms, %d attempt(s)%n",
          outcome.roundTrip().toNanos() / 1e6, outcome.attempts());
    }
  }

  /**
   * Ring of 6 under steady traffic n0 -> n3: one link of the path in use is cut (both
   * directions blocked), and delivery must resume over the other side of the ring. Resume
   * time = from the cut to the first delivery at n3 of a message sent after the cut.
   * Every message acknowledged to the sender must have been delivered exactly once.
   */
  @Test
  void ringOfSix_cutLinkUnderTraffic_deliveryResumesP95Within1500ms_noAckedLossNoDuplicate()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 6, Topology.RING)) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      awaitRoute(cluster, 0, "n3");
      List<Long> resumes = new ArrayList<>();
      TrafficProbe.Summary summary;
      try (TrafficProbe traffic = TrafficProbe.start(cluster.node(0).mesh(),
          cluster.node(3).mesh(), "ring", Duration.ofMillis(10), Duration.ofMinutes(2))) {
        for (int trial = 0; trial < 20; trial++) {
          String via = cluster.node(0).mesh().routeTable().nextHop("n3").orElseThrow();
          long cut = System.nanoTime();
          cluster.faults().set("n0", via, dev.x0tta6bl4.node.transport.FaultPlans.partition());
          cluster.faults().set(via, "n0", dev.x0tta6bl4.node.transport.FaultPlans.partition());
          resumes.add(traffic.awaitDeliveryAfter(cut, Duration.ofSeconds(10),
              "delivery resumes after cutting n0-" + via).toNanos());
          cluster.faults().reset("n0", via);
          cluster.faults().reset(via, "n0");
          cluster.awaitTopology(Duration.ofSeconds(5));
        }
        // Let every outstanding message end (delivered or failed) before judging.
        summary = traffic.finish(Duration.ofSeconds(30));
      }
      Collections.sort(resumes);
      long p95 = TrafficProbe.percentile(resumes, 95);
      System.out.printf("figure: ring of 6, cut under traffic, %d trials: resume p50 %.0f ms,"
              + " p95 %.0f ms, max %.0f ms; %d sent, %d acknowledged, %d received,"
              + " %d delivered twice, failed: %s%n",
          resumes.size(), TrafficProbe.percentile(resumes, 50) / 1e6, p95 / 1e6,
          Collections.max(resumes) / 1e6, summary.sent(), summary.acknowledged(),
          summary.received(), summary.deliveredMoreThanOnce(), summary.failures());
      assertThat(summary.deliveredMoreThanOnce()).as("messages delivered twice").isZero();
      assertThat(summary.acknowledgedButNotDelivered()).as("acknowledged but lost").isZero();
      assertThat(p95).isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1500));
      // Copies lost in a cut link are resent at once over the repaired route without using up
      // the attempt budget, so on a ring that stays connected nothing has to give up.
      assertThat(summary.failures()).as("messages that ended without delivery").isEmpty();
    }
  }

  /** 16 nodes, random connected topology: each of 1,000 broadcasts reaches every node once. */
  @Test
  void sixteenNodes_thousandBroadcasts_eachDeliveredExactlyOnceEverywhere() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(16);
    Map<Integer, List<Integer>> seeds = new java.util.HashMap<>();
    for (int i = 1; i < 16; i++) {
      List<Integer> mine = new ArrayList<>(List.of(random.nextInt(i)));
      if (i > 2 && random.nextBoolean()) {
        int extra = random.nextInt(i);
        if (!mine.contains(extra)) {
          mine.add(extra);
        }
      }
      seeds.put(i, mine);
    }
    try (LocalCluster cluster =
        LocalCluster.start(dir, 16, (i, n) -> seeds.getOrDefault(i, List.of()))) {
      cluster.awaitTopology(Duration.ofSeconds(10));
      for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
          if (i != j) {
            awaitRoute(cluster, i, "n" + j);
          }
        }
      }
      List<Map<String, Integer>> perNode = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        perNode.add(counts);
        cluster.node(i).mesh().subscribe("news", m -> counts.merge(m.messageId(), 1, Integer::sum));
      }
      List<String> ids = new ArrayList<>();
      for (int b = 0; b < 1000; b++) {
        ids.add(cluster.node(random.nextInt(16)).mesh()
            .broadcast("news", ("b" + b).getBytes(StandardCharsets.UTF_8), null)
            .get(5, TimeUnit.SECONDS).messageId());
      }
      LocalCluster.await(() -> perNode.stream().allMatch(m -> m.size() == 1000),
          Duration.ofSeconds(30), () -> "every node got 1000: "
              + perNode.stream().map(Map::size).toList());
      for (Map<String, Integer> counts : perNode) {
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(counts.values()).allMatch(c -> c == 1);
      }
    }
  }

  private static void awaitRoute(LocalCluster cluster, int from, String to) {
    LocalCluster.await(() -> cluster.node(from).mesh().routeTable().nextHop(to).isPresent(),
        Duration.ofSeconds(10), () -> "n" + from + " has a route to " + to);
  }
}

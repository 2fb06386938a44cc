package dev.x0tta6bl4.node.cluster;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.heal.HealingComponent;
import dev.x0tta6bl4.node.transport.FaultPlans;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code meshd demo}: a small mesh of real nodes on loopback (one JVM, mutual TLS 1.3 with the
 * hybrid post-quantum group, as in production), steady acknowledged traffic across it, then a
 * link cut and a node crash on the path in use, narrated in plain words with the time each
 * recovery took. Every wait is bounded by what is left of the overall time limit, so the demo
 * ends by itself; it passes when the mesh recovered from both faults and kept its promise
 * (nothing acknowledged lost, nothing delivered twice).
 *
 * <p>Topology: a ring, so every link and every relay has a way around it.
 */
public final class MeshDemo {
  /** How the demo runs. */
  public record Settings(int nodes, Duration timeLimit, Duration sendInterval, long seed) {
    public Settings {
      if (nodes < 4 || nodes > 16) {
        throw new IllegalArgumentException(
            "nodes " + nodes + " is out of range; allowed: 4..16 (a ring needs a way around)");
      }
      if (timeLimit.compareTo(Duration.ofSeconds(10)) < 0) {
        throw new IllegalArgumentException(
            "time limit " + timeLimit + " is too short; allowed: at least 10s");
      }
    }
  }

  private final Settings settings;
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();
  private final long deadline;

  private MeshDemo(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
    this.deadline = startNanos + settings.timeLimit().toNanos();
  }

  /** Runs the demo in a temporary directory; true when every step recovered in time. */
  public static boolean run(Settings settings, PrintWriter out) throws IOException {
    Path dir = Files.createTempDirectory("meshd-demo-");
    try {
      return new MeshDemo(settings, out).runIn(dir);
    } finally {
      deleteTree(dir);
    }
  }

  private boolean runIn(Path dir) {
    int n = settings.nodes();
    int target = n / 2;
    say("starting %d nodes on 127.0.0.1 in a ring: mutual TLS 1.3, key exchange X25519MLKEM768"
        + " (hybrid post-quantum), Ed25519 node certificates from a fresh mesh CA", n);
    // The self-healing loop runs as in any node (mapek.mode auto); the harness turns it off by
    // default so tests measure the mesh alone.
    try (LocalCluster cluster = LocalCluster.start(dir.resolve("nodes"), n,
        LocalCluster.Topology.RING,
        c -> c.withMapek(c.mapek().withMode(NodeConfig.MapekMode.AUTO)), settings.seed())) {
      say("%d nodes started (each ran the crypto self-test before opening a port; self-healing"
          + " loop on)", n);
      long t = System.nanoTime();
      cluster.awaitTopology(remaining());
      awaitConverged(cluster);
      say("mesh formed: %d links up, every node has a loop-free route to every other (%s)", n,
          millis(System.nanoTime() - t));

      ClusterNode source = cluster.node(0);
      ClusterNode destination = cluster.node(target);
      try (TrafficProbe probe = TrafficProbe.start(source.mesh(), destination.mesh(), "demo",
          settings.sendInterval(), remaining())) {
        say("traffic: %s -> %s every %d ms, each message acknowledged end to end; path %s",
            source.id(), destination.id(), settings.sendInterval().toMillis(),
            path(cluster, source, destination));
        LocalCluster.await(() -> probe.roundTripsNanos().size() >= 50, remaining(),
            () -> "50 messages acknowledged");
        List<Long> rtts = probe.roundTripsNanos();
        say("steady: %d delivered; round trip (send to end-to-end ack) p50 %s, p99 %s over %d"
                + " acknowledged (the first ones include warm-up)", probe.received(),
            millis(TrafficProbe.percentile(rtts, 50)), millis(TrafficProbe.percentile(rtts, 99)),
            rtts.size());

        // 1. Cut the first link of the path: frames dropped both ways, sockets stay open, so
        // only the failure detector can tell.
        String via = nextHop(source, destination);
        cluster.clearDeaths();
        long cut = System.nanoTime();
        cluster.faults().set(source.id(), via, FaultPlans.partition());
        cluster.faults().set(via, source.id(), FaultPlans.partition());
        say("cutting the link %s - %s (every frame dropped both ways, the connection stays open)",
            source.id(), via);
        Duration resumed = probe.awaitDeliveryAfter(cut, remaining(),
            "delivery to resume after the cut");
        LocalCluster.await(() -> cluster.deaths().stream().anyMatch(d -> isDeath(d, source, via)),
            remaining(), () -> source.id() + " to declare " + via + " dead");
        LocalCluster.Death death = cluster.deaths().stream()
            .filter(d -> isDeath(d, source, via)).findFirst().orElseThrow();
        say("%s declared %s dead (%s) %s after the cut; route to %s now %s", source.id(), via,
            death.reason(), millis(death.atNanos() - cut), destination.id(),
            path(cluster, source, destination));
        say("delivery resumed %s after the cut", millis(resumed.toNanos()));
        long heal = System.nanoTime();
        cluster.faults().reset(source.id(), via);
        cluster.faults().reset(via, source.id());
        cluster.awaitTopology(remaining());
        awaitConverged(cluster);
        say("link healed: %s - %s up again after %s; path %s", source.id(), via,
            millis(System.nanoTime() - heal), path(cluster, source, destination));

        // 2. Crash a relay on the path: its connections drop without a goodbye.
        String relayId = nextHop(source, destination);
        ClusterNode relay = cluster.nodes().stream().filter(x -> x.id().equals(relayId))
            .findFirst().orElseThrow();
        long crash = System.nanoTime();
        relay.crash();
        say("crashing %s, a relay on the path, without warning", relay.id());
        Duration resumedAfterCrash = probe.awaitDeliveryAfter(crash, remaining(),
            "delivery to resume after the crash");
        say("delivery resumed %s after the crash; path %s", millis(resumedAfterCrash.toNanos()),
            path(cluster, source, destination));
        long restart = System.nanoTime();
        relay.start();
        cluster.awaitTopology(remaining());
        awaitConverged(cluster);
        say("%s restarted and rejoined in %s; path %s", relay.id(),
            millis(System.nanoTime() - restart), path(cluster, source, destination));
        long after = System.nanoTime();
        probe.awaitDeliveryAfter(after, remaining(), "delivery after the restart");

        TrafficProbe.Summary summary = probe.finish(remaining());
        reportIncidents(cluster);
        say("summary: %d sent, %d acknowledged, %d failed %s, %d delivered twice, %d acknowledged"
                + " but lost", summary.sent(), summary.acknowledged(),
            summary.failures().values().stream().mapToInt(Integer::intValue).sum(),
            summary.failures(), summary.deliveredMoreThanOnce(),
            summary.acknowledgedButNotDelivered());
        say("recovery: link cut %s, node crash %s", millis(resumed.toNanos()),
            millis(resumedAfterCrash.toNanos()));
        if (!summary.promiseKept()) {
          say("FAILED: the mesh lost an acknowledged message or delivered one twice");
          return false;
        }
        return true;
      }
    } catch (ClusterTimeoutException e) {
      say("FAILED: %s", e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      say("FAILED: interrupted");
      return false;
    }
  }

  /** What each node's self-healing loop saw and did, as {@code meshd incidents} would show. */
  private void reportIncidents(LocalCluster cluster) {
    int total = 0;
    for (ClusterNode node : cluster.nodes()) {
      Optional<HealingComponent> healing = node.running()
          ? node.container().find(HealingComponent.class) : Optional.empty();
      for (IncidentView i : healing.map(HealingComponent::incidents).orElse(List.of())) {
        total++;
        List<String> actions = i.timeline().stream()
            .filter(e -> e.type() == TimelineEvent.Type.ACTION_STARTED)
            .map(e -> e.detail().split("/", 2)[0]).toList(); // "kind/subject timeout ..."

        String outcome = i.open() ? "open (" + i.state().name().toLowerCase(Locale.ROOT) + ")"
            : "resolved after " + millis(Duration.between(i.firstSeen(), i.resolvedAt()).toNanos())
                + " (" + i.resolution() + ")";
        say("self-healing on %s: %s %s, actions %s, %s", node.id(), i.kind(), i.subject(),
            actions.isEmpty() ? "none" : actions, outcome);
      }
    }
    if (total == 0) {
      say("self-healing: no incident recorded (the mesh's own failover was faster)");
    }
  }

  /** Waits until following next hops from any node reaches any other without a loop. */
  private void awaitConverged(LocalCluster cluster) {
    for (ClusterNode node : cluster.nodes()) {
      for (ClusterNode other : cluster.nodes()) {
        if (node != other) {
          LocalCluster.await(() -> loopFree(cluster, node, other), remaining(),
              () -> "a loop-free route " + path(cluster, node, other));
        }
      }
    }
  }

  private static boolean isDeath(LocalCluster.Death d, ClusterNode observer, String peer) {
    return d.observer().equals(observer.id()) && d.peer().equals(peer);
  }

  private Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static String nextHop(ClusterNode from, ClusterNode to) {
    return from.mesh().routeTable().nextHop(to.id()).orElse("none");
  }

  /** The path from the route tables, hop by hop: "n0 > n1 > n2". */
  private static String path(LocalCluster cluster, ClusterNode from, ClusterNode to) {
    List<String> hops = new ArrayList<>(List.of(from.id()));
    String problem = walk(cluster, from.id(), to.id(), hops);
    return String.join(" > ", hops) + (problem == null ? "" : " " + problem);
  }

  /** True when following next hops from {@code from} reaches {@code to} without a loop. */
  private static boolean loopFree(LocalCluster cluster, ClusterNode from, ClusterNode to) {
    return walk(cluster, from.id(), to.id(), new ArrayList<>(List.of(from.id()))) == null;
  }

  /** Follows next hops into {@code hops}; null when it arrived, else what stopped it. */
  private static String walk(LocalCluster cluster, String from, String to, List<String> hops) {
    String at = from;
    while (!at.equals(to)) {
      String current = at;
      Optional<String> next = cluster.nodes().stream()
          .filter(x -> x.id().equals(current) && x.running()).findFirst()
          .flatMap(x -> x.mesh().routeTable().nextHop(to));
      if (next.isEmpty()) {
        return "(no route at " + current + ")";
      }
      at = next.get();
      if (hops.contains(at)) {
        hops.add(at);
        return "(loop: routes still converging)";
      }
      hops.add(at);
    }
    return null;
  }

  private void say(String format, Object... args) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf(Locale.ROOT, "[%5.1fs] %s%n", seconds, String.format(Locale.ROOT, format, args));
    out.flush();
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, nanos < 10_000_000 ? "%.1f ms" : "%.0f ms", nanos / 1e6);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

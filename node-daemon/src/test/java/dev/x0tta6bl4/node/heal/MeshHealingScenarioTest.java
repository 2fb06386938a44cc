package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.MeshFaults.DIAMOND_WITH_LEAF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.transport.FrameRewriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh scenarios of issue 8 on real nodes (TLS on loopback, {@link LocalCluster}), each with
 * detection, action, verified recovery and an incident record: a link cut between two nodes, a
 * frozen neighbour, and a relay forging signed adverts. Faults come from the cluster's fault
 * controller; every wait polls with a deadline.
 */
class MeshHealingScenarioTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final Duration TICK = Duration.ofMillis(50);
  static final MeshHealingSettings SETTINGS =
      MeshHealingSettings.defaults().withQuarantinePeriod(Duration.ofSeconds(2));

  @TempDir Path dir;

  static LocalCluster diamond(Path dir) {
    LocalCluster cluster = LocalCluster.start(dir, 5, DIAMOND_WITH_LEAF);
    cluster.awaitTopology(WAIT);
    for (ClusterNode node : cluster.nodes()) {
      LocalCluster.await(() -> node.mesh().routeTable().size() == 4, WAIT,
          () -> node.id() + " routes to every other node: " + node.mesh().routeTable());
    }
    return cluster;
  }

  static List<TimelineEvent.Type> timeline(IncidentView incident) {
    return incident.timeline().stream().map(TimelineEvent::type).toList();
  }

  /** Waits until {@code node} has resolved an incident kind/subject that ran an action. */
  static IncidentView awaitResolved(HealingLoops loops, String node, String kind, String subject) {
    return awaitResolved(loops, kind, List.of(node + "/" + subject));
  }

  /**
   * Waits until one of {@code nodeAndSubject} ("node/subject") has resolved an incident of
   * {@code kind} about that subject that ran an action: the two ends of a cut link both see it,
   * and whichever drops it first ends the other's symptom.
   */
  static IncidentView awaitResolved(HealingLoops loops, String kind, List<String> nodeAndSubject) {
    return awaitResolved(loops, kind, nodeAndSubject, java.time.Instant.EPOCH);
  }

  /** As above, for incidents detected at or after {@code since}. */
  static IncidentView awaitResolved(HealingLoops loops, String kind, List<String> nodeAndSubject,
      java.time.Instant since) {
    List<IncidentView> found = new ArrayList<>();
    LocalCluster.await(() -> {
      found.clear();
      for (String ns : nodeAndSubject) {
        String[] parts = ns.split("/");
        loops.loop(parts[0]).incidents(kind, parts[1]).stream()
            .filter(i -> !i.open() && !i.detectedAt().isBefore(since)
                && timeline(i).contains(TimelineEvent.Type.ACTION_STARTED))
            .forEach(found::add);
      }
      return !found.isEmpty();
    }, WAIT, () -> nodeAndSubject + " resolve " + kind + " after acting: " + nodeAndSubject.stream()
        .map(ns -> loops.loop(ns.split("/")[0]).loop().incidents().toString()).toList());
    return found.get(0);
  }

  static void assertHealed(IncidentView incident) {
    assertThat(timeline(incident)).as("timeline of %s", incident).containsSubsequence(
        TimelineEvent.Type.DETECTED, TimelineEvent.Type.PLANNED,
        TimelineEvent.Type.ACTION_STARTED, TimelineEvent.Type.ACTION_SUCCEEDED,
        TimelineEvent.Type.VERIFIED, TimelineEvent.Type.RESOLVED);
  }

  @Test
  void linkCutBetweenTwoNodes_isDropped_andTrafficRoutesAround() {
    try (LocalCluster cluster = diamond(dir);
        HealingLoops loops = new HealingLoops(cluster, Mode.AUTO, SETTINGS, TICK)) {
      ClusterNode n0 = cluster.node(0);
      ClusterNode n1 = cluster.node(1);
      long cut = System.nanoTime();
      MeshFaults.cutLink(cluster, "n0", "n1");

      LocalCluster.await(() -> !n0.links().currentLinks().containsKey("n1")
              && MeshFaults.routesAround(n0, "n1", "n1") && MeshFaults.routesAround(n1, "n0", "n0"),
          WAIT, () -> "n0 and n1 route around their cut link: " + n0.mesh().routeTable());
      assertThat(MeshFaults.delivered(n0, "n1")).isTrue();
      assertThat(MeshFaults.delivered(n1, "n0")).isTrue();
      long rerouted = System.nanoTime() - cut;

      IncidentView incident =
          awaitResolved(loops, "neighbour-unresponsive", List.of("n0/n1", "n1/n0"));
      assertHealed(incident);
      System.out.printf("link cut n0-n1: rerouted and delivering %d ms after the cut; incident"
              + " %s firstSeen->resolved %d ms%n", rerouted / 1_000_000, incident.id(),
          Duration.between(incident.firstSeen(), incident.resolvedAt()).toMillis());
      assertThat(loops.violations()).isEmpty();

      MeshFaults.mendLink(cluster, "n0", "n1");
      cluster.awaitTopology(WAIT); // the link comes back once its hold-down is over
    }
  }

  @Test
  void frozenNeighbour_isDetectedAndRoutedAround_andItsLinksReturnWhenItResumes() {
    try (LocalCluster cluster = diamond(dir);
        HealingLoops loops = new HealingLoops(cluster, Mode.AUTO, SETTINGS, TICK)) {
      ClusterNode n0 = cluster.node(0);
      ClusterNode n3 = cluster.node(3);
      long froze = System.nanoTime();
      cluster.faults().partition("n1"); // n1 neither reads nor writes anything: frozen

      LocalCluster.await(() -> !n0.links().currentLinks().containsKey("n1")
              && !n3.links().currentLinks().containsKey("n1")
              && MeshFaults.routesAround(n0, "n3", "n1") && MeshFaults.routesAround(n3, "n0", "n1"),
          WAIT, () -> "n0 and n3 route around frozen n1: " + n0.mesh().routeTable());
      assertThat(MeshFaults.delivered(n3, "n0")).isTrue();
      assertThat(MeshFaults.delivered(n0, "n3")).isTrue();
      long routedAround = System.nanoTime() - froze;

      for (String observer : List.of("n0", "n3")) {
        IncidentView incident = awaitResolved(loops, observer, "neighbour-unresponsive", "n1");
        assertHealed(incident);
        // Onset is the last frame heard from n1, which is before the freeze took effect.
        assertThat(incident.firstSeen()).isBefore(incident.detectedAt());
        System.out.printf("frozen n1 seen from %s: routed around %d ms after the freeze;"
                + " incident %s firstSeen->detected %d ms, ->resolved %d ms%n", observer,
            routedAround / 1_000_000, incident.id(),
            Duration.between(incident.firstSeen(), incident.detectedAt()).toMillis(),
            Duration.between(incident.firstSeen(), incident.resolvedAt()).toMillis());
      }
      assertThat(loops.violations()).isEmpty();

      cluster.faults().heal("n1"); // resumes
      cluster.awaitTopology(WAIT);
      assertThat(MeshFaults.delivered(n3, "n1")).isTrue();
    }
  }

  @Test
  void relayForgingAdverts_isQuarantinedWithinTwoSeconds_andTrafficIsUnaffected() {
    try (LocalCluster cluster = diamond(dir);
        HealingLoops loops = new HealingLoops(cluster, Mode.AUTO, SETTINGS, TICK)) {
      ClusterNode n0 = cluster.node(0);
      ClusterNode n3 = cluster.node(3);
      MeshFaults.Forger forger = new MeshFaults.Forger("n1");
      cluster.faults().rewrite("n1", "n3", forger);
      List<CompletableFuture<MeshService.Outcome>> traffic = new ArrayList<>();
      MeshFaults.provokeAdverts(n0, "n4");

      LocalCluster.await(() -> {
        traffic.add(MeshFaults.send(n3, traffic.size() % 2 == 0 ? "n0" : "n4"));
        return !n3.links().currentLinks().containsKey("n1");
      }, WAIT, () -> "n3 quarantines n1 (forged " + forger.forged + ")");
      long quarantinedMs = (System.nanoTime() - forger.firstForgedNanos.get()) / 1_000_000;
      for (int i = 0; i < 20; i++) {
        traffic.add(MeshFaults.send(n3, i % 2 == 0 ? "n0" : "n4"));
      }
      long delivered = traffic.stream().filter(MeshFaults::outcome).count();

      IncidentView incident = awaitResolved(loops, "n3", "misbehaving-peer", "n1");
      assertHealed(incident);
      System.out.printf("forging relay n1: %d adverts forged, n3 closed its link %d ms after the"
              + " first; %d/%d messages n3->n0/n4 delivered%n", forger.forged.get(),
          quarantinedMs, delivered, traffic.size());
      assertThat(quarantinedMs).isLessThan(2000);
      assertThat(delivered).isEqualTo(traffic.size());
      assertThat(loops.loop("n3").module().quarantines()).containsKey("n1");
      assertThat(n3.links().currentLinks()).doesNotContainKey("n1");
      assertThat(loops.violations()).isEmpty();

      cluster.faults().rewrite("n1", "n3", FrameRewriter.NONE);
      cluster.awaitTopology(WAIT); // the quarantine (2 s here) lifts by itself
      assertThat(loops.loop("n3").module().quarantines()).isEmpty();
    }
  }
}

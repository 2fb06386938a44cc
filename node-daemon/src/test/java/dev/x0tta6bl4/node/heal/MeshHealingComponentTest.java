package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HostedLoops.incident;
import static dev.x0tta6bl4.node.heal.HostedLoops.loop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh area through the node's own {@link HealingComponent} (the operator path: {@code
 * mapek.mode}), on real nodes: in {@code auto} a forging relay is quarantined; in {@code advise}
 * the same faults and a cut link produce plans and nothing else.
 */
class MeshHealingComponentTest {
  private static final Duration WAIT = MeshHealingScenarioTest.WAIT;

  @TempDir Path dir;

  private static LocalCluster diamond(Path dir, NodeConfig.MapekMode mode) {
    LocalCluster cluster = LocalCluster.start(dir, 5, MeshFaults.DIAMOND_WITH_LEAF,
        c -> c.withMapek(c.mapek().withMode(mode).withTickInterval(Duration.ofMillis(50))), 1L);
    cluster.awaitTopology(WAIT);
    for (ClusterNode node : cluster.nodes()) {
      LocalCluster.await(() -> node.mesh().routeTable().size() == 4, WAIT,
          () -> node.id() + " routes to every other node");
    }
    return cluster;
  }

  private static boolean has(Optional<IncidentView> incident, TimelineEvent.Type type) {
    return incident.map(i -> i.timeline().stream().anyMatch(e -> e.type() == type)).orElse(false);
  }

  @Test
  void autoMode_quarantinesAForgingRelayThroughTheNodesOwnLoop() {
    try (LocalCluster cluster = diamond(dir, NodeConfig.MapekMode.AUTO)) {
      ClusterNode n3 = cluster.node(3);
      MeshFaults.Forger forger = new MeshFaults.Forger("n1");
      cluster.faults().rewrite("n1", "n3", forger);
      MeshFaults.provokeAdverts(cluster.node(0), "n4");

      LocalCluster.await(() -> forger.forged.get() > 0
          && !n3.links().currentLinks().containsKey("n1"), WAIT, () -> "n3 quarantines n1");
      long ms = (System.nanoTime() - forger.firstForgedNanos.get()) / 1_000_000;
      assertThat(MeshFaults.delivered(n3, "n0")).isTrue();
      LocalCluster.await(() -> incident(n3, "misbehaving-peer", "n1").filter(i -> !i.open())
          .isPresent(), WAIT, () -> "incident resolved: " + loop(n3).incidents());
      MeshHealingScenarioTest.assertHealed(incident(n3, "misbehaving-peer", "n1").orElseThrow());
      System.out.println("HealingComponent (auto): n3 closed its link to forging n1 " + ms
          + " ms after the first forged advert");
      assertThat(ms).isLessThan(2000);
      // The node's API serves the same incident (the composition hands it the loop).
      String body = get(n3, "/v1/incidents");
      assertThat(body).contains("\"mode\":\"auto\"").contains("\"kind\":\"misbehaving-peer\"")
          .contains("\"event\":\"verified\"");
    }
  }

  static String get(ClusterNode node, String path) {
    try {
      java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
              + node.apiAddress().getPort() + path)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return response.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void adviseMode_plansForEveryMeshScenario_andChangesNothing() {
    try (LocalCluster cluster = diamond(dir, NodeConfig.MapekMode.ADVISE)) {
      ClusterNode n0 = cluster.node(0);
      ClusterNode n1 = cluster.node(1);
      ClusterNode n3 = cluster.node(3);
      MeshFaults.Forger forger = new MeshFaults.Forger("n1");
      cluster.faults().rewrite("n1", "n3", forger);
      MeshFaults.provokeAdverts(cluster.node(0), "n4");
      LocalCluster.await(() -> has(incident(n3, "misbehaving-peer", "n1"),
          TimelineEvent.Type.ADVISED), WAIT, () -> "n3 advises on n1: " + loop(n3).incidents());

      // A cut link: advised while the link is still up (the failure detector alone would drop
      // it only after 2 s of direct silence).
      MeshFaults.cutLink(cluster, "n0", "n2");
      LocalCluster.await(() -> has(incident(n0, "neighbour-unresponsive", "n2"),
              TimelineEvent.Type.ADVISED) || has(incident(cluster.node(2),
              "neighbour-unresponsive", "n0"), TimelineEvent.Type.ADVISED), WAIT,
          () -> "n0 or n2 advises dropping their cut link");
      assertThat(n0.links().currentLinks()).containsKey("n2");

      // Two more seconds of forged adverts: still advised only, n1 still linked to n3.
      MeshFaults.provokeAdverts(cluster.node(0), "n4");
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      LocalCluster.await(() -> System.nanoTime() > until, WAIT, () -> "two seconds");
      assertThat(n3.links().currentLinks()).containsKey("n1");
      assertThat(n1.links().currentLinks()).containsKey("n3");
      IncidentView advised = incident(n3, "misbehaving-peer", "n1").orElseThrow();
      assertThat(advised.timeline()).anySatisfy(e -> {
        assertThat(e.type()).isEqualTo(TimelineEvent.Type.ADVISED);
        assertThat(e.detail()).contains("quarantine-peer");
      });
      for (ClusterNode node : cluster.nodes()) {
        for (IncidentView incident : loop(node).incidents()) {
          assertThat(incident.timeline()).as("%s on %s", incident.kind(), node.id())
              .noneMatch(e -> e.type() == TimelineEvent.Type.ACTION_STARTED);
        }
      }
      System.out.println("advise: " + List.of(advised.kind() + "/" + advised.subject(),
          incident(n0, "neighbour-unresponsive", "n2").map(IncidentView::timeline).orElse(List.of())));
    }
  }
}

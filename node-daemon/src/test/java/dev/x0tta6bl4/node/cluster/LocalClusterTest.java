package dev.x0tta6bl4.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: topologies come up, and stop, crash and restart do what they say. */
class LocalClusterTest {
  @TempDir Path dir;

  @Test
  void line_formsExactlyTheLineEdges() {
    try (LocalCluster cluster = LocalCluster.start(dir, 4, Topology.LINE)) {
      cluster.awaitTopology(Duration.ofSeconds(5));

      assertThat(cluster.expectedEdges()).containsExactlyInAnyOrder("n0|n1", "n1|n2", "n2|n3");
      assertThat(cluster.establishedEdges()).isEqualTo(cluster.expectedEdges());
    }
  }

  @Test
  void ring_closesTheRing() {
    try (LocalCluster cluster = LocalCluster.start(dir, 4, Topology.RING)) {
      cluster.awaitTopology(Duration.ofSeconds(5));

      assertThat(cluster.establishedEdges())
          .isEqualTo(Set.of("n0|n1", "n1|n2", "n2|n3", "n0|n3"));
    }
  }

  @Test
  void crashThenRestart_neighboursSeeItDeadThenLinksReturnOnTheSamePort() {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, Topology.FULL)) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      var port = cluster.node(1).meshAddress();

      cluster.node(1).crash();
      LocalCluster.await(
          () -> cluster.deaths().stream().filter(d -> d.peer().equals("n1")).count() == 2,
          Duration.ofSeconds(5), () -> "both neighbours see n1 dead: " + cluster.deaths());
      assertThat(cluster.establishedEdges()).containsExactly("n0|n2");

      cluster.node(1).start();
      cluster.awaitTopology(Duration.ofSeconds(5));
      assertThat(cluster.node(1).meshAddress()).isEqualTo(port);
      assertThat(cluster.establishedEdges()).hasSize(3);
    }
  }

  @Test
  void gracefulStop_neighboursGetGoodbyeNotADeathByTimeout() {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, Topology.FULL)) {
      cluster.awaitTopology(Duration.ofSeconds(5));

      cluster.node(2).stop();
      LocalCluster.await(() -> cluster.establishedEdges().equals(Set.of("n0|n1")),
          Duration.ofSeconds(5), cluster::toString);

      assertThat(cluster.deaths())
          .filteredOn(d -> d.peer().equals("n2"))
          .allSatisfy(d -> assertThat(d.reason()).isEqualTo("link_closed"));
    }
  }
}

package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import dev.x0tta6bl4.node.transport.GoodbyeReason;
import dev.x0tta6bl4.node.transport.MeshLinks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks the mesh area added to the links and the router, on three real nodes in a full mesh:
 * refusals (with their period and early lift), the raised link cost as other nodes see it, and the
 * published views.
 */
class MeshHealingHooksTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;

  @Test
  void refuse_closesTheLink_keepsThePeerOutForThePeriod_andLiftEndsItEarly() {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, LocalCluster.Topology.FULL)) {
      cluster.awaitTopology(WAIT);
      ClusterNode n0 = cluster.node(0);
      ClusterNode n1 = cluster.node(1);

      long start = System.nanoTime();
      assertThat(HealingLoops.join(n0.links().refuse("n1", Duration.ofMillis(1500),
          GoodbyeReason.QUARANTINED, "test"))).isTrue();
      LocalCluster.await(() -> !n0.links().currentLinks().containsKey("n1")
          && !n1.links().currentLinks().containsKey("n0"), WAIT, () -> "link closed at both ends");
      // n1 dials n0 again and again (backoff 50..500 ms): never admitted during the period.
      AtomicBoolean admitted = new AtomicBoolean();
      LocalCluster.await(() -> {
        admitted.compareAndSet(false, n0.links().currentLinks().containsKey("n1")
            || n1.links().currentLinks().containsKey("n0"));
        return System.nanoTime() - start > Duration.ofMillis(1200).toNanos();
      }, WAIT, () -> "1.2 s");
      assertThat(admitted).as("refused peer admitted during its refusal").isFalse();
      cluster.awaitTopology(WAIT); // back after the period

      assertThat(HealingLoops.join(n0.links().refuse("n1", Duration.ofMinutes(1),
          GoodbyeReason.QUARANTINED, "test"))).isTrue();
      LocalCluster.await(() -> !n1.links().currentLinks().containsKey("n0"), WAIT, () -> "closed");
      assertThat(HealingLoops.join(n0.links().lift("n1"))).isTrue();
      cluster.awaitTopology(WAIT);
      assertThat(HealingLoops.join(n0.links().lift("n1"))).isFalse();
      assertThatThrownBy(() -> n0.links().refuse("n1", Duration.ZERO, GoodbyeReason.QUARANTINED,
          "x")).hasMessageContaining("refusal period of n1 must be positive");
    }
  }

  @Test
  void linkCostFactor_isAdvertised_andRestored_andViewsArePublished() {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, LocalCluster.Topology.FULL)) {
      cluster.awaitTopology(WAIT);
      ClusterNode n0 = cluster.node(0);
      ClusterNode n2 = cluster.node(2);

      OptionalLong raised = HealingLoops.join(n0.mesh().setLinkCostFactor("n1", 10));
      assertThat(raised).isPresent();
      LocalCluster.await(() -> costSeenBy(n2, "n0", "n1") >= raised.getAsLong(), WAIT,
          () -> "n2 holds n0's advert with the raised cost " + raised);
      LocalCluster.await(() -> n0.mesh().health().costFactors().equals(java.util.Map.of("n1", 10.0)),
          WAIT, () -> "health view shows the factor: " + n0.mesh().health());

      // The measured cost moves with the RTT (a loaded machine can multiply it), so the restored
      // cost is checked against the raised one of the same moment: a tenth of it.
      OptionalLong restored = HealingLoops.join(n0.mesh().setLinkCostFactor("n1", 1));
      assertThat(restored).isPresent();
      LocalCluster.await(() -> n0.mesh().health().costFactors().isEmpty(), WAIT,
          () -> "health view without the factor: " + n0.mesh().health());
      OptionalLong again = HealingLoops.join(n0.mesh().setLinkCostFactor("n1", 10));
      OptionalLong back = HealingLoops.join(n0.mesh().setLinkCostFactor("n1", 1));
      assertThat(again.getAsLong()).isBetween(10 * back.getAsLong() - 10, 10 * back.getAsLong() + 10);
      assertThat(HealingLoops.join(n0.mesh().setLinkCostFactor("nobody", 2))).isEmpty();
      assertThatThrownBy(() -> n0.mesh().setLinkCostFactor("n1", 0.5))
          .hasMessageContaining("within [1, 1000]");

      MeshLinks.LinkView view = n0.links().view();
      assertThat(view.links()).extracting(MeshLinks.LinkSnapshot::peerId)
          .containsExactlyInAnyOrder("n1", "n2");
      assertThat(view.links()).allSatisfy(l -> assertThat(l.detector()).isNotNull());
      LocalCluster.await(() -> n0.mesh().health().routes() == 2, WAIT, () -> "health routes");
      assertThat(HealingLoops.join(n0.links().dialAlternate(Set.of()))).isEmpty(); // all linked
    }
  }

  private static long costSeenBy(ClusterNode observer, String origin, String neighbour) {
    return HealingLoops.join(observer.mesh().heldAdvert(origin)).stream()
        .flatMap(a -> a.links().stream()).filter(l -> l.neighbour().equals(neighbour))
        .mapToLong(LinkStateAdvert.Link::cost).findFirst().orElse(-1);
  }
}

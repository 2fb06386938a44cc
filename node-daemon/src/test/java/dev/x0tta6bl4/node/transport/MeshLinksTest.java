package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshLinksTest {
  @TempDir Path dir;

  @Test
  void duplicateConnections_bothEndsKeepTheOneDialledBySmallerId_whateverTheArrivalOrder() {
    // Arrival order A: the n1->n0 connection registered first, then n0->n1 arrives.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", true, false)).isTrue();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", false, true)).isTrue();
    // Arrival order B: n0->n1 first, then n1->n0 arrives.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", false, true)).isFalse();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", true, false)).isFalse();
    // Two connections in the same direction: the first stays.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", true, true)).isFalse();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", false, false)).isFalse();
  }

  @Test
  void linkAlreadyUp_addingThePeerAsSeed_doesNotOpenASecondConnection() {
    try (LocalCluster cluster =
        LocalCluster.start(dir, 2, (i, n) -> i == 0 ? List.of() : List.of(0))) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      cluster.node(0).links().addSeed(cluster.node(1).meshAddress());
      cluster.node(1).links().addSeed(cluster.node(0).meshAddress());

      // Several ticks later there is still exactly one link, the original one.
      long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
      LocalCluster.await(() -> System.nanoTime() > deadline, Duration.ofSeconds(2), () -> "");
      assertThat(cluster.node(0).links().snapshot()).singleElement()
          .satisfies(l -> assertThat(l.outbound()).isFalse());
      assertThat(cluster.node(1).links().snapshot()).singleElement()
          .satisfies(l -> assertThat(l.outbound()).isTrue());
      assertThat(cluster.deaths()).isEmpty();
    }
  }

  @Test
  void trySend_aboveHighWaterMark_refusesAndCountsBackpressure() {
    EmbeddedChannel channel = new EmbeddedChannel();
    AtomicInteger refusals = new AtomicInteger();
    Link link = new Link("n1", "spiffe://t/node/n1", "127.0.0.1:1", channel, true, 0,
        refusals::incrementAndGet);
    Frame heartbeat = new Frame.Heartbeat(1, 2);

    assertThat(link.trySend(heartbeat)).isTrue();
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    assertThat(link.trySend(heartbeat)).isFalse();
    assertThat(refusals).hasValue(1);

    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    assertThat(link.trySend(heartbeat)).isTrue();
    assertThat(channel.outboundMessages()).hasSize(2);
    channel.finishAndReleaseAll();
  }
}

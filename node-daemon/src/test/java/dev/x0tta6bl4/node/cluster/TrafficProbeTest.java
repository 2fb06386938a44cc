package dev.x0tta6bl4.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.mesh.MeshService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The probe's verdict, against a mesh whose every message's fate the test decides. */
class TrafficProbeTest {

  /**
   * Message 2 reaches the application twice, 3 is acknowledged but never delivered, 4 fails
   * with a timeout; every other one is delivered once and acknowledged.
   */
  private static final class ScriptedMesh implements MeshService {
    private final AtomicInteger count = new AtomicInteger();
    private volatile Consumer<InboundMessage> subscriber = m -> {};

    @Override
    public String localNodeId() {
      return "n1";
    }

    @Override
    public CompletableFuture<Accepted> send(String destination, String topic, byte[] payload,
        String traceparent) {
      int i = count.incrementAndGet();
      String id = "n0>n1/1/" + i;
      InboundMessage m = new InboundMessage(id, "n0", topic, payload, Optional.empty(), false);
      int deliveries = i == 2 ? 2 : i == 3 || i == 4 ? 0 : 1;
      for (int d = 0; d < deliveries; d++) {
        subscriber.accept(m);
      }
      Outcome outcome = i == 4
          ? new Outcome(false, 8, Duration.ZERO, Optional.of("timeout"))
          : new Outcome(true, 1, Duration.ofMillis(i), Optional.empty());
      return CompletableFuture.completedFuture(
          new Accepted(id, CompletableFuture.completedFuture(outcome)));
    }

    @Override
    public CompletableFuture<Accepted> broadcast(String topic, byte[] payload, String trace) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Subscription subscribe(String topic, Consumer<InboundMessage> listener) {
      subscriber = listener;
      return () -> subscriber = m -> {};
    }

    @Override
    public CompletableFuture<MeshStatus> status() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<PeerInfo>> peers() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<RouteInfo>> routes() {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void finish_countsDuplicatesAcknowledgedLossesAndFailuresSeparately() throws Exception {
    ScriptedMesh mesh = new ScriptedMesh();
    TrafficProbe.Summary summary;
    try (TrafficProbe probe = TrafficProbe.start(mesh, mesh, "t", Duration.ofMillis(1),
        Duration.ofSeconds(30))) {
      LocalCluster.await(() -> probe.sent() >= 10, Duration.ofSeconds(10), () -> "10 sends");
      summary = probe.finish(Duration.ofSeconds(5));
    }

    int n = summary.sent();
    assertThat(n).isGreaterThanOrEqualTo(10);
    assertThat(summary.acknowledged()).isEqualTo(n - 1);
    assertThat(summary.failures()).isEqualTo(Map.of("timeout", 1));
    assertThat(summary.received()).isEqualTo(n - 2);
    assertThat(summary.deliveredMoreThanOnce()).isEqualTo(1);
    assertThat(summary.acknowledgedButNotDelivered()).isEqualTo(1);
    assertThat(summary.promiseKept()).isFalse();
  }

  @Test
  void percentile_nearestRankOfSortedValues() {
    List<Long> values = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(TrafficProbe.percentile(values, 50)).isEqualTo(5);
    assertThat(TrafficProbe.percentile(values, 95)).isEqualTo(10);
    assertThat(TrafficProbe.percentile(values, 1)).isEqualTo(1);
    assertThat(TrafficProbe.percentile(List.of(), 50)).isZero();
  }
}

package dev.x0tta6bl4.node.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link MeshRouter#send} runs depending on the calling thread, on two real nodes: at once
 * on the owner loop (no thread hop, for high-rate producers), queued when called from inside an
 * outcome callback (so the delivery core is never re-entered), and either way delivered once.
 */
class MeshRouterSendTest {
  @TempDir Path dir;

  @Test
  void send_onOwnerLoopAndFromOutcomeCallback_runsAtOnceOrQueuedAndDeliversEachOnce()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 2, Topology.LINE)) {
      cluster.awaitTopology(Duration.ofSeconds(10));
      MeshRouter source = cluster.node(0).mesh();
      LocalCluster.await(() -> source.routeTable().route("n1").isPresent(),
          Duration.ofSeconds(10), () -> "route n0 -> n1");
      List<String> received = new CopyOnWriteArrayList<>();
      cluster.node(1).mesh().subscribe("t", m ->
          received.add(new String(m.payload(), StandardCharsets.US_ASCII)));

      AtomicBoolean firstDoneAtOnce = new AtomicBoolean();
      AtomicBoolean secondDoneAtOnce = new AtomicBoolean(true);
      CompletableFuture<MeshService.Outcome> second = new CompletableFuture<>();
      CompletableFuture<MeshService.Outcome> first = source.executor().submit(() -> {
        CompletableFuture<MeshService.Accepted> accepted =
            source.send("n1", "t", bytes("first"), null);
        firstDoneAtOnce.set(accepted.isDone());
        MeshService.Accepted a = accepted.join();
        a.outcome().thenAccept(outcome -> {
          // Inside the core's ack handling: this send must wait for its own turn.
          CompletableFuture<MeshService.Accepted> next =
              source.send("n1", "t", bytes("second"), null);
          secondDoneAtOnce.set(next.isDone());
          next.thenCompose(MeshService.Accepted::outcome).whenComplete((o, e) -> {
            if (e != null) {
              second.completeExceptionally(e);
            } else {
              second.complete(o);
            }
          });
        });
        return a.outcome();
      }).get(5, TimeUnit.SECONDS);

      assertThat(firstDoneAtOnce).as("send on the owner loop ran at once").isTrue();
      assertThat(first.get(10, TimeUnit.SECONDS).delivered()).isTrue();
      assertThat(second.get(10, TimeUnit.SECONDS).delivered()).isTrue();
      assertThat(secondDoneAtOnce).as("send from an outcome callback was queued").isFalse();
      LocalCluster.await(() -> received.size() == 2, Duration.ofSeconds(5), received::toString);
      assertThat(received).containsExactly("first", "second");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}

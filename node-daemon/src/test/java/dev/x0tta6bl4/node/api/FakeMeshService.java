package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.node.mesh.MeshRejectedException;
import dev.x0tta6bl4.node.mesh.MeshService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link MeshService} whose answers the test chooses: the next send's refusal or outcome,
 * the status, peers and routes; it records what was sent and lets the test deliver inbound
 * messages to subscribers. Thread-safe.
 */
public final class FakeMeshService implements MeshService {
  /** One send or broadcast the API made. */
  public record Sent(String destination, String topic, byte[] payload, String traceparent) {}

  public final List<Sent> sent = new CopyOnWriteArrayList<>();
  public final Map<Consumer<InboundMessage>, String> subscribers = new ConcurrentHashMap<>();
  public final AtomicInteger subscriptionsClosed = new AtomicInteger();
  public volatile MeshRejectedException refuseNext;
  /** The outcome future handed out with the next accepted unicast; completed by the test. */
  public volatile CompletableFuture<Outcome> nextOutcome = new CompletableFuture<>();
  volatile boolean ready = true;
  public volatile List<PeerInfo> peers = List.of();
  public volatile List<RouteInfo> routes = List.of();
  /** When true, status, peers, routes and sends never answer (a stuck mesh). */
  public volatile boolean hang;
  private final AtomicInteger ids = new AtomicInteger();

  @Override
  public String localNodeId() {
    return "n1";
  }

  @Override
  public CompletableFuture<Accepted> send(
      String destination, String topic, byte[] payload, String traceparent) {
    return accept(new Sent(destination, topic, payload, traceparent), nextOutcome);
  }

  @Override
  public CompletableFuture<Accepted> broadcast(String topic, byte[] payload, String traceparent) {
    return accept(new Sent("*", topic, payload, traceparent), CompletableFuture.completedFuture(
        new Outcome(true, 1, Duration.ZERO, Optional.empty())));
  }

  private CompletableFuture<Accepted> accept(Sent message, CompletableFuture<Outcome> outcome) {
    if (hang) {
      return new CompletableFuture<>();
    }
    MeshRejectedException refusal = refuseNext;
    if (refusal != null) {
      refuseNext = null;
      return CompletableFuture.failedFuture(refusal);
    }
    sent.add(message);
    return CompletableFuture.completedFuture(
        new Accepted("n1-1-" + ids.incrementAndGet(), outcome));
  }

  @Override
  public Subscription subscribe(String topic, Consumer<InboundMessage> listener) {
    subscribers.put(listener, topic);
    return () -> {
      if (subscribers.remove(listener) != null) {
        subscriptionsClosed.incrementAndGet();
      }
    };
  }

  /** Delivers {@code message} to matching subscribers, as the mesh's thread would. */
  public void deliver(InboundMessage message) {
    subscribers.forEach((listener, topic) -> {
      if (topic.equals("*") || topic.equals(message.topic())) {
        listener.accept(message);
      }
    });
  }

  @Override
  public CompletableFuture<MeshStatus> status() {
    if (hang) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(new MeshStatus("n1", "spiffe://test/node/n1",
        "1.2.3", Duration.ofMillis(61_500), 2, 3, 4, ready));
  }

  @Override
  public CompletableFuture<List<PeerInfo>> peers() {
    if (hang) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(peers);
  }

  @Override
  public CompletableFuture<List<RouteInfo>> routes() {
    return CompletableFuture.completedFuture(routes);
  }
}

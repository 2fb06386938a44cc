package dev.x0tta6bl4.node.mesh;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What applications (through the local API) can ask of the mesh: send a message to one node
 * (acknowledged end to end, delivered once), broadcast to all, subscribe to topics, and read
 * the node's status, neighbours and routes.
 *
 * <p>Thread-safe; every method may be called from any thread, including a Netty event loop:
 * none blocks. Results arrive through futures completed on the mesh's own thread, so callers
 * must not block in their continuations either. Called on the mesh's own thread, {@link #send}
 * runs at once and returns a completed future (no thread hop): a high-rate producer should run
 * there. A refusal completes the future exceptionally with {@link MeshRejectedException}.
 */
public interface MeshService {

  /** This node's id. */
  String localNodeId();

  /**
   * Accepts a unicast message for delivery to {@code destination}. The returned future
   * completes when the message is accepted (with its id and a future of its outcome) or fails
   * with {@link MeshRejectedException} (queue full, no route, payload too large, bad argument).
   *
   * @param traceparent W3C trace context to carry with the message, or null
   */
  CompletableFuture<Accepted> send(
      String destination, String topic, byte[] payload, String traceparent);

  /** Accepts a broadcast to every node; its outcome completes once it has been sent. */
  CompletableFuture<Accepted> broadcast(String topic, byte[] payload, String traceparent);

  /**
   * Delivers every message for {@code topic} (or every topic, for {@code "*"}) that reaches
   * this node to {@code listener}, on the mesh's thread; the listener must not block. Close
   * the subscription to stop.
   */
  Subscription subscribe(String topic, Consumer<InboundMessage> listener);

  /** The node's status. */
  CompletableFuture<MeshStatus> status();

  /** The neighbours with a link up. */
  CompletableFuture<List<PeerInfo>> peers();

  /** The current route table. */
  CompletableFuture<List<RouteInfo>> routes();

  /** A message accepted for delivery. */
  record Accepted(String messageId, CompletableFuture<Outcome> outcome) {}

  /**
   * How a message ended: delivered (acknowledged by the destination) or failed with a reason
   * ({@code timeout}, {@code no_route}, {@code closed}).
   */
  record Outcome(boolean delivered, int attempts, Duration roundTrip, Optional<String> failure) {}

  /** A message delivered to this node's applications. */
  record InboundMessage(
      String messageId,
      String source,
      String topic,
      byte[] payload,
      Optional<String> traceparent,
      boolean broadcast) {}

  /** Stops a subscription; idempotent. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * A neighbour as the API shows it. {@code advertsRejected} counts the link-state adverts this
   * neighbour relayed that were rejected since the node started, by reason in lower case ({@code
   * bad_signature}, {@code stale}, ...; absent reasons are zero).
   */
  record PeerInfo(
      String nodeId,
      String spiffeId,
      String listenAddress,
      boolean outbound,
      String status,
      double phi,
      Optional<Duration> smoothedRtt,
      double clockOffsetSeconds,
      Map<String, Long> advertsRejected) {

    public PeerInfo {
      advertsRejected = Map.copyOf(advertsRejected);
    }
  }

  /** One route. */
  record RouteInfo(String destination, String nextHop, long cost, int hops) {}

  /** The node at a glance. */
  record MeshStatus(
      String nodeId,
      String spiffeId,
      String version,
      Duration uptime,
      int links,
      int routes,
      long inFlight,
      boolean ready) {}
}

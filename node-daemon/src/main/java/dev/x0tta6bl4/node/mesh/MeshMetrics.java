package dev.x0tta6bl4.node.mesh;

import dev.x0tta6bl4.node.delivery.BroadcastDelivery;
import dev.x0tta6bl4.node.delivery.BroadcastStats;
import dev.x0tta6bl4.node.delivery.DropReason;
import dev.x0tta6bl4.node.delivery.FailureReason;
import dev.x0tta6bl4.node.delivery.Rejection;
import dev.x0tta6bl4.node.delivery.UnicastDelivery;
import dev.x0tta6bl4.node.delivery.UnicastStats;
import dev.x0tta6bl4.node.routing.RejectReason;
import dev.x0tta6bl4.node.transport.FrameType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Routing and delivery meters. The cores' counters are read from a snapshot the owner loop
 * publishes every tick (the cores themselves are single-threaded), so a scrape never touches
 * core state.
 */
final class MeshMetrics {
  private final MeterRegistry registry;
  private volatile UnicastStats unicast;
  private volatile BroadcastStats broadcast;
  private volatile int routeCount;
  private volatile long routeComputations;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final Counter routeChanges;
  private final Timer deliveryLatency;
  private long publishes;

  MeshMetrics(MeterRegistry registry) {
    this.registry = registry;
    deliveryLatency = Timer.builder("meshd.delivery.latency")
        .description("Unicast messages from send to end-to-end acknowledgement, retransmissions"
            + " included")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    routeChanges = Counter.builder("meshd.routing.table.changes")
        .description("Route table recomputations that changed at least one route").register(registry);
    FunctionCounter.builder("meshd.routing.spf.runs", this, m -> m.routeComputations)
        .description("Shortest-path computations of the route table (received adverts are"
            + " coalesced per routing hold-down)").register(registry);
    Gauge.builder("meshd.routing.routes", this, m -> m.routeCount)
        .description("Destinations with a route").register(registry);
    Gauge.builder("meshd.delivery.inflight", this, m -> m.unicast == null ? 0 : m.unicast.inFlight())
        .description("Unicast messages sent and not yet acknowledged or failed").register(registry);
    Gauge.builder("meshd.delivery.subscriptions", subscriptions, AtomicInteger::get)
        .description("Open application subscriptions").register(registry);
    unicastCounter("meshd.delivery.accepted", "Unicast messages accepted for delivery", UnicastStats::accepted);
    unicastCounter("meshd.delivery.delivered", "Unicast messages acknowledged end to end", UnicastStats::delivered);
    unicastCounter("meshd.delivery.retransmits", "Unicast retransmissions", UnicastStats::retransmits);
    unicastCounter("meshd.delivery.received", "Unicast messages delivered to local applications",
        UnicastStats::deliveredToApp);
    unicastCounter("meshd.delivery.duplicates", "Duplicate unicast copies suppressed",
        UnicastStats::duplicatesSuppressed);
    unicastCounter("meshd.delivery.forwarded", "Unicast messages relayed for other nodes",
        UnicastStats::forwarded);
    for (FailureReason reason : FailureReason.values()) {
      unicastCounter("meshd.delivery.failures", "Unicast messages that ended undelivered",
          s -> s.failed().getOrDefault(reason, 0L), "reason", reason);
    }
    for (Rejection reason : Rejection.values()) {
      unicastCounter("meshd.delivery.rejections", "Sends refused at admission",
          s -> s.rejected().getOrDefault(reason, 0L), "reason", reason);
    }
    for (DropReason reason : DropReason.values()) {
      unicastCounter("meshd.delivery.dropped", "Unicast copies dropped in transit",
          s -> s.dropped().getOrDefault(reason, 0L), "reason", reason);
    }
    broadcastCounter("meshd.broadcast.originated", "Broadcasts sent by this node", BroadcastStats::originated);
    broadcastCounter("meshd.broadcast.delivered", "Broadcasts delivered to local applications",
        BroadcastStats::delivered);
    broadcastCounter("meshd.broadcast.duplicates", "Duplicate broadcast copies suppressed",
        BroadcastStats::duplicatesSuppressed);
    broadcastCounter("meshd.broadcast.forwarded", "Broadcast copies flooded to neighbours",
        BroadcastStats::forwarded);
    preRegister();
  }

  /**
   * Registers the event counters at zero for every label value they can take, so a scrape shows
   * them before the first event ({@code increase()} sees the first one; docs/metrics.md, generated
   * from a scrape, lists them).
   */
  private void preRegister() {
    for (RejectReason reason : RejectReason.values()) {
      advertRejectedCounter(reason);
    }
    for (FrameType type : new FrameType[] {FrameType.DATA, FrameType.DATA_ACK, FrameType.BROADCAST}) {
      malformedCounter(type);
    }
    for (FrameType type : new FrameType[] {
        FrameType.LINK_STATE_ADVERT, FrameType.DATA, FrameType.DATA_ACK, FrameType.BROADCAST}) {
      sendRefusedCounter(type);
    }
  }

  private void unicastCounter(String name, String description, ToDoubleFunction<UnicastStats> f) {
    FunctionCounter.builder(name, this, m -> m.unicast == null ? 0 : f.applyAsDouble(m.unicast))
        .description(description).register(registry);
  }

  private void unicastCounter(String name, String description, ToDoubleFunction<UnicastStats> f,
      String tag, Enum<?> value) {
    FunctionCounter.builder(name, this, m -> m.unicast == null ? 0 : f.applyAsDouble(m.unicast))
        .tag(tag, value.name().toLowerCase(Locale.ROOT)).description(description).register(registry);
  }

  private void broadcastCounter(String name, String description, ToDoubleFunction<BroadcastStats> f) {
    FunctionCounter.builder(name, this, m -> m.broadcast == null ? 0 : f.applyAsDouble(m.broadcast))
        .description(description).register(registry);
  }

  /** Called by the owner loop each tick; snapshots are taken every 20th tick (~100 ms). */
  void publish(UnicastDelivery unicastCore, BroadcastDelivery broadcastCore, int routes,
      long spfRuns) {
    routeCount = routes;
    routeComputations = spfRuns;
    if (publishes++ % 20 == 0) {
      unicast = unicastCore.stats();
      broadcast = broadcastCore.stats();
    }
  }

  /** One message acknowledged {@code nanos} after it was sent (owner loop). */
  void delivered(long nanos) {
    deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  void routesChanged() {
    routeChanges.increment();
  }

  void advertRejected(RejectReason reason) {
    advertRejectedCounter(reason).increment();
  }

  void malformed(FrameType type) {
    malformedCounter(type).increment();
  }

  void sendRefused(FrameType type) {
    sendRefusedCounter(type).increment();
  }

  private Counter advertRejectedCounter(RejectReason reason) {
    return counter("meshd.routing.adverts.rejected", "Link-state adverts rejected, by reason",
        "reason", reason.name().toLowerCase(Locale.ROOT));
  }

  private Counter malformedCounter(FrameType type) {
    return counter("meshd.delivery.malformed", "Data, ack or broadcast frames that failed to decode",
        "type", type.name().toLowerCase(Locale.ROOT));
  }

  private Counter sendRefusedCounter(FrameType type) {
    return counter("meshd.mesh.send.refused",
        "Frames not sent: no link to the next hop, or backpressure", "type",
        type.name().toLowerCase(Locale.ROOT));
  }

  void subscriptions(int delta) {
    subscriptions.addAndGet(delta);
  }

  private Counter counter(String name, String description, String tag, String value) {
    return Counter.builder(name).tag(tag, value).description(description).register(registry);
  }

}

package dev.x0tta6bl4.node.mesh;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.delivery.BroadcastDelivery;
import dev.x0tta6bl4.node.delivery.BroadcastId;
import dev.x0tta6bl4.node.delivery.DataMessage;
import dev.x0tta6bl4.node.delivery.DeliveryAction;
import dev.x0tta6bl4.node.delivery.DeliveryCodec;
import dev.x0tta6bl4.node.delivery.DeliveryException;
import dev.x0tta6bl4.node.delivery.DeliverySettings;
import dev.x0tta6bl4.node.delivery.MessageId;
import dev.x0tta6bl4.node.delivery.NextHops;
import dev.x0tta6bl4.node.delivery.SendResult;
import dev.x0tta6bl4.node.delivery.UnicastDelivery;
import dev.x0tta6bl4.node.routing.LinkCostEstimator;
import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import dev.x0tta6bl4.node.routing.LinkStateRouter;
import dev.x0tta6bl4.node.routing.NeighbourAdvertStats;
import dev.x0tta6bl4.node.routing.RouteTable;
import dev.x0tta6bl4.node.routing.RoutingAction;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameType;
import dev.x0tta6bl4.node.transport.Link;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh as applications see it: routes with the link-state core, delivers unicast
 * (acknowledged end to end, deduplicated) and broadcast with the delivery cores, over the
 * links of {@link MeshLinks}.
 *
 * <p>Threading: the three sans-IO cores run on the links' owner loop, the same thread that
 * delivers link events, so link state, routes and in-flight messages never need a lock.
 * {@link MeshService} calls from other threads hop onto that loop and answer with futures.
 * Built, started and closed by the node's container, after {@link MeshLinks}.
 *
 * <p>Tracing ({@link MeshTracing}): a send continues the caller's sampled trace with a span
 * {@code meshd.send} whose context travels in the DATA frame; each relay records {@code
 * meshd.forward} and rewrites the frame's context to its own span; the destination records
 * {@code meshd.deliver}. Messages without a sampled context cost one branch.
 */
public final class MeshRouter implements MeshService, MeshLinks.Listener, Component {
  private static final Logger log = LoggerFactory.getLogger(MeshRouter.class);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long HEALTH_PUBLISH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Highest factor {@link #setLinkCostFactor} accepts. */
  public static final double MAX_COST_FACTOR = 1000;

  /**
   * Routing and delivery counters as the owner loop last published them (every 100 ms, and on
   * the next 5 ms tick after an advert was rejected), for readers that must not wait for the
   * loop, such as the node's self-healing sensors. Immutable.
   *
   * @param adverts advert counters per relaying neighbour since start ({@link #advertStats()})
   * @param routeChanges how often the route table changed since start
   * @param routes destinations with a route
   * @param retransmits unicast copies sent after the first, since start
   * @param deliveryFailures unicast messages of this node that failed, since start
   * @param costFactors links whose cost is raised by {@link #setLinkCostFactor}, with the factor
   */
  public record HealthView(SortedMap<String, NeighbourAdvertStats> adverts, long routeChanges,
      int routes, long retransmits, long deliveryFailures, Map<String, Double> costFactors) {
    public HealthView {
      adverts = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(adverts));
      costFactors = Map.copyOf(costFactors);
    }

    static final HealthView EMPTY = new HealthView(new TreeMap<>(), 0, 0, 0, 0, Map.of());
  }

  private final String localNodeId;
  private final String localSpiffeId;
  private final String version;
  private final MeshLinks links;
  private final EventLoop owner;
  private final LinkStateRouter router;
  private final UnicastDelivery unicast;
  private final BroadcastDelivery broadcasts;
  private final DeliveryCodec codec;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final MeshMetrics metrics;
  private final MeshTracing tracing;

  // Owned by the owner loop.
  private final Map<String, LinkCostEstimator> costs = new HashMap<>();
  private final Map<String, Double> costFactors = new HashMap<>();
  private long routeChanges;
  private boolean healthDirty;
  private long healthPublishedNanos;
  private volatile HealthView health = HealthView.EMPTY;
  private final Map<MessageId, CompletableFuture<Outcome>> pending = new HashMap<>();
  private final Map<MessageId, Outcome> earlyOutcomes = new HashMap<>();
  private boolean flushScheduled;
  private int inCallback; // > 0 while application code runs inside a core call
  private io.netty.util.concurrent.ScheduledFuture<?> ticker;
  private io.netty.util.concurrent.ScheduledFuture<?> routeRecompute;
  private long routeRecomputeAtNanos;

  private final Map<String, List<Consumer<InboundMessage>>> subscribers = new ConcurrentHashMap<>();
  private volatile RouteTable routes = RouteTable.empty();
  private volatile boolean closed;
  private boolean started;

  /** A router recording spans of sampled messages with {@code tracing} (off: none). */
  public MeshRouter(
      String localNodeId,
      String localSpiffeId,
      String version,
      MeshLinks links,
      LinkStateRouter router,
      long bootId,
      DeliverySettings settings,
      java.util.random.RandomGenerator random,
      io.micrometer.core.instrument.MeterRegistry registry,
      LongSupplier nanoClock,
      Tracing tracing) {
    this.tracing = new MeshTracing(tracing, localNodeId);
    this.localNodeId = localNodeId;
    this.localSpiffeId = localSpiffeId;
    this.version = version;
    this.links = links;
    this.owner = links.executor();
    this.router = router;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.codec = new DeliveryCodec(settings.maxPayloadBytes());
    NextHops nextHops = new NextHops() {
      @Override
      public Optional<String> nextHop(String destination) {
        return routes.nextHop(destination);
      }

      @Override
      public Set<String> neighbours() {
        return router.localLinks().keySet();
      }
    };
    this.unicast = new UnicastDelivery(localNodeId, bootId, nextHops, settings, random, this::onDelivery);
    this.broadcasts = new BroadcastDelivery(localNodeId, bootId, nextHops, settings, this::onDelivery);
    this.metrics = new MeshMetrics(registry);
  }

  @Override
  public void start() {
    if (started) {
      return; // registered twice, every frame would be handled twice
    }
    started = true;
    links.addListenerAndReplay(this);
    ticker = owner.scheduleAtFixedRate(this::tickSafely, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
  }

  // ---- link events (owner loop) ----

  @Override
  public void linkUp(Link link) {
    LinkCostEstimator estimator = new LinkCostEstimator();
    costs.put(link.peerId(), estimator);
    handleRouting(router.localLinkUp(link.peerId(), cost(link.peerId(), estimator.reportedCost()),
        nanoClock.getAsLong()));
  }

  @Override
  public void linkDown(String peerId, String reason) {
    costs.remove(peerId);
    long now = nanoClock.getAsLong();
    handleRouting(router.localLinkDown(peerId, now)); // local repair first: routes change now
    unicast.neighbourDown(peerId, now);
  }

  @Override
  public void rttSample(String peerId, long rttNanos) {
    LinkCostEstimator estimator = costs.get(peerId);
    if (estimator == null || !router.localLinks().containsKey(peerId)) {
      return;
    }
    long now = nanoClock.getAsLong();
    estimator.onRttSample(rttNanos, now)
        .ifPresent(cost -> handleRouting(router.localLinkCostChanged(peerId, cost(peerId, cost), now)));
  }

  /** The measured cost scaled by the link's raised-cost factor, if any. */
  private long cost(String peerId, long measured) {
    Double factor = costFactors.get(peerId);
    if (factor == null) {
      return measured;
    }
    return (long) Math.min(LinkStateAdvert.MAX_COST, Math.ceil(measured * factor));
  }

  /**
   * Multiplies the advertised cost of the link to {@code peerId} by {@code factor} (1 restores
   * the measured cost), so shortest paths avoid a degraded link while it still works; the
   * factor stays through RTT updates and link restarts until set back to 1. The new cost is
   * advertised at once. Any thread.
   *
   * @param factor in [1, {@value #MAX_COST_FACTOR}]
   * @return completes with the cost now advertised for the link, or empty if there is no link
   *     (the factor still applies when it comes up)
   */
  public CompletableFuture<OptionalLong> setLinkCostFactor(String peerId, double factor) {
    java.util.Objects.requireNonNull(peerId, "peerId");
    if (!(factor >= 1 && factor <= MAX_COST_FACTOR)) {
      throw new IllegalArgumentException("link cost factor for " + peerId + " must be within [1, "
          + (long) MAX_COST_FACTOR + "], got " + factor);
    }
    CompletableFuture<OptionalLong> result = new CompletableFuture<>();
    onOwner(result, () -> {
      if (factor == 1) {
        costFactors.remove(peerId);
      } else {
        costFactors.put(peerId, factor);
      }
      healthDirty = true;
      LinkCostEstimator estimator = costs.get(peerId);
      if (estimator == null || !router.localLinks().containsKey(peerId)) {
        result.complete(OptionalLong.empty());
        return;
      }
      long cost = cost(peerId, estimator.reportedCost());
      handleRouting(router.localLinkCostChanged(peerId, cost, nanoClock.getAsLong()));
      log.info("link cost factor set {} {} {}", kv("peer", peerId), kv("factor", factor),
          kv("cost", cost));
      result.complete(OptionalLong.of(cost));
    });
    return result;
  }

  /**
   * Routing and delivery counters as last published by the owner loop (at most about 100 ms
   * old); safe from any thread and never waits.
   */
  public HealthView health() {
    return health;
  }

  private void publishHealth(long now) {
    if (!healthDirty && now - healthPublishedNanos < HEALTH_PUBLISH_NANOS) {
      return;
    }
    healthDirty = false;
    healthPublishedNanos = now;
    var stats = unicast.stats();
    long failures = 0;
    for (long n : stats.failed().values()) {
      failures += n;
    }
    health = new HealthView(router.neighbourStats(), routeChanges, routes.size(),
        stats.retransmits(), failures, costFactors);
  }

  @Override
  public void frameReceived(Link link, Frame frame) {
    if (!(frame instanceof Frame.Opaque opaque)) {
      return;
    }
    long now = nanoClock.getAsLong();
    String from = link.peerId();
    try {
      switch (opaque.type()) {
        case LINK_STATE_ADVERT:
          handleRouting(router.advertReceived(from, opaque.body(), now));
          break;
        case DATA:
          unicast.dataReceived(from, codec.decodeData(opaque.body()), now);
          scheduleAckFlush();
          break;
        case DATA_ACK:
          unicast.ackReceived(from, codec.decodeAck(opaque.body()), now);
          break;
        case BROADCAST:
          broadcasts.broadcastReceived(from, codec.decodeBroadcast(opaque.body()), now);
          break;
        default:
          break;
      }
    } catch (DeliveryException e) {
      metrics.malformed(opaque.type());
      log.warn("malformed {} from neighbour {} {}", opaque.type(), kv("peer", from),
          kv("error", e.getMessage()));
    }
  }

  /** Acks for everything read in one go leave together, after the loop drains its queue. */
  private void scheduleAckFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      owner.execute(() -> {
        flushScheduled = false;
        unicast.flushAcks(nanoClock.getAsLong());
      });
    }
  }

  private void tickSafely() {
    try {
      long now = nanoClock.getAsLong();
      handleRouting(router.tick(now));
      unicast.tick(now);
      broadcasts.tick(now);
      metrics.publish(unicast, broadcasts, routes.size(), router.routeComputations());
      publishHealth(now);
    } catch (RuntimeException e) {
      log.error("mesh router tick failed: {}", e.toString(), e);
    }
  }

  private void handleRouting(List<RoutingAction> actions) {
    handleRoutingActions(actions);
    scheduleRouteRecompute();
  }

  /**
   * The routing core holds route recomputations for received adverts back for a few ms (see
   * {@code RoutingSettings.routeHoldDown}); a one-shot timer at its deadline takes them in on
   * time, not at the next 5 ms tick (which would also run it, later).
   */
  private void scheduleRouteRecompute() {
    OptionalLong due = router.routeRecomputeDueNanos();
    if (due.isEmpty() || closed) {
      return;
    }
    if (routeRecompute != null && !routeRecompute.isDone()
        && routeRecomputeAtNanos - due.getAsLong() <= 0) {
      return; // one is already set for then or earlier
    }
    routeRecomputeAtNanos = due.getAsLong();
    long delay = Math.max(0, due.getAsLong() - nanoClock.getAsLong());
    routeRecompute = owner.schedule(this::recomputeRoutesSafely, delay, TimeUnit.NANOSECONDS);
  }

  private void recomputeRoutesSafely() {
    routeRecompute = null; // running: not done yet, but a deadline still ahead needs a new timer
    try {
      handleRouting(router.tick(nanoClock.getAsLong()));
    } catch (RuntimeException e) {
      log.error("route recomputation failed: {}", e.toString(), e);
    }
  }

  private void handleRoutingActions(List<RoutingAction> actions) {
    for (RoutingAction action : actions) {
      if (action instanceof RoutingAction.FloodAdvert flood) {
        for (String peer : flood.toNeighbours()) {
          sendAdvert(peer, flood.advert());
        }
      } else if (action instanceof RoutingAction.SendAdvert advert) {
        sendAdvert(advert.toNeighbour(), advert.advert());
      } else if (action instanceof RoutingAction.RoutesChanged changed) {
        routes = changed.routes();
        routeChanges++;
        metrics.routesChanged();
      } else if (action instanceof RoutingAction.AdvertRejected rejected) {
        metrics.advertRejected(rejected.reason());
        healthDirty = true;
        if (rejected.reason() == dev.x0tta6bl4.node.routing.RejectReason.STALE) {
          // Flooding delivers older copies over other paths all the time: normal, not news.
          log.debug("stale link-state advert from {}: {}", rejected.fromNeighbour(), rejected.detail());
        } else {
          log.warn("link-state advert rejected {} {} {}", kv("peer", rejected.fromNeighbour()),
              kv("reason", rejected.reason().name()), kv("detail", rejected.detail()));
        }
      }
    }
  }

  private void onDelivery(DeliveryAction action) {
    // The per-message actions first: this runs several times for every message.
    if (action instanceof DeliveryAction.Forward forward) {
      if (tracing.relaying(forward.message())) {
        forwardTraced(forward);
      } else {
        send(forward.nextHop(), new Frame.Opaque(FrameType.DATA, codec.encode(forward.message())));
      }
    } else if (action instanceof DeliveryAction.Delivered delivered) {
      metrics.delivered(delivered.rttNanos());
      complete(delivered.id(),
          new Outcome(true, delivered.attempts(), Duration.ofNanos(delivered.rttNanos()), Optional.empty()));
    } else if (action instanceof DeliveryAction.Deliver deliver) {
      var m = deliver.message();
      TracedSpan span = tracing.deliver(m);
      try (TracedSpan.Activation ignored = span.activate()) {
        publish(new InboundMessage(m.id().toString(), m.source(), m.topic(), m.payload(),
            MeshTracing.context(span, m.traceContext()), false));
      } finally {
        span.end();
      }
    } else if (action instanceof DeliveryAction.SendAck ack) {
      send(ack.nextHop(), new Frame.Opaque(FrameType.DATA_ACK, codec.encode(ack.ack())));
    } else if (action instanceof DeliveryAction.ForwardBroadcast forward) {
      send(forward.neighbour(),
          new Frame.Opaque(FrameType.BROADCAST, codec.encode(forward.message())));
    } else if (action instanceof DeliveryAction.DeliverBroadcast deliver) {
      var m = deliver.message();
      TracedSpan span = tracing.deliverBroadcast(m);
      try (TracedSpan.Activation ignored = span.activate()) {
        publish(new InboundMessage(m.id().toString(), m.origin(), m.topic(), m.payload(),
            MeshTracing.context(span, m.traceContext()), true));
      } finally {
        span.end();
      }
    } else if (action instanceof DeliveryAction.DeliveryFailed failed) {
      complete(failed.id(), new Outcome(false, failed.attempts(), Duration.ZERO,
          Optional.of(failed.reason().name().toLowerCase(Locale.ROOT))));
    }
  }

  /** A relay hop of a sampled message: its own span, whose context the next hop continues. */
  private void forwardTraced(DeliveryAction.Forward forward) {
    TracedSpan span = tracing.forward(forward.message(), forward.nextHop());
    try (TracedSpan.Activation ignored = span.activate()) {
      DataMessage m = span.recording()
          ? forward.message().withTraceparent(span.traceparent()) : forward.message();
      send(forward.nextHop(), new Frame.Opaque(FrameType.DATA, codec.encode(m)));
    } finally {
      span.end();
    }
  }

  /** Adverts pass backpressure: nothing would resend a refused one before the refresh. */
  private void sendAdvert(String peer, byte[] advert) {
    Frame frame = new Frame.Opaque(FrameType.LINK_STATE_ADVERT, advert);
    if (!links.sendRegardlessOfBackpressure(peer, frame)) {
      metrics.sendRefused(frame.type()); // the link is gone; its death reroutes anyway
    }
  }

  private void send(String peer, Frame frame) {
    if (!links.send(peer, frame)) {
      metrics.sendRefused(frame.type()); // no link or backpressure: retransmission covers data
    }
  }

  private void complete(MessageId id, Outcome outcome) {
    CompletableFuture<Outcome> future = pending.remove(id);
    if (future != null) {
      inCallback++;
      try {
        future.complete(outcome);
      } finally {
        inCallback--;
      }
    } else {
      earlyOutcomes.put(id, outcome); // a send to ourselves completes inside send()
    }
  }

  private void publish(InboundMessage message) {
    inCallback++;
    try {
      publishTo(message.topic(), message);
      publishTo("*", message);
    } finally {
      inCallback--;
    }
  }

  private void publishTo(String key, InboundMessage message) {
    List<Consumer<InboundMessage>> list = subscribers.get(key);
    if (list == null) {
      return;
    }
    for (Consumer<InboundMessage> subscriber : list) {
      try {
        subscriber.accept(message);
      } catch (RuntimeException e) {
        log.error("subscriber for topic {} failed: {}", key, e.toString(), e);
      }
    }
  }

  // ---- MeshService (any thread) ----

  @Override
  public String localNodeId() {
    return localNodeId;
  }

  @Override
  public CompletableFuture<Accepted> send(
      String destination, String topic, byte[] payload, String traceparent) {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    onOwner(accepted, () -> {
      TracedSpan span = tracing.send(destination, topic, traceparent);
      String carried = span.recording() ? span.traceparent() : traceparent;
      SendResult<MessageId> result;
      try (TracedSpan.Activation ignored = span.activate()) {
        result = unicast.send(destination, topic, payload, carried, nanoClock.getAsLong());
      } catch (DeliveryException e) {
        span.error("invalid_argument").end();
        throw rejected(MeshRejectedException.Reason.INVALID_ARGUMENT, e.getMessage(), 0);
      }
      if (result instanceof SendResult.Rejected<MessageId> r) {
        span.error(r.reason().name().toLowerCase(Locale.ROOT)).end();
        throw rejected(map(r.reason()), r.detail(), r.retryAfterNanos());
      }
      MessageId id = ((SendResult.Accepted<MessageId>) result).id();
      CompletableFuture<Outcome> outcome = new CompletableFuture<>();
      Outcome early = earlyOutcomes.remove(id);
      if (early != null) {
        outcome.complete(early);
      } else {
        pending.put(id, outcome);
      }
      if (span.recording()) {
        MeshTracing.endWithOutcome(span, id, outcome); // the span lasts until the ack or failure
      }
      accepted.complete(new Accepted(id.toString(), outcome));
    });
    return accepted;
  }

  @Override
  public CompletableFuture<Accepted> broadcast(String topic, byte[] payload, String traceparent) {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    onOwner(accepted, () -> {
      TracedSpan span = tracing.broadcast(topic, traceparent);
      String carried = span.recording() ? span.traceparent() : traceparent;
      SendResult<BroadcastId> result;
      try (TracedSpan.Activation ignored = span.activate()) {
        result = broadcasts.broadcast(topic, payload, carried, nanoClock.getAsLong());
      } catch (DeliveryException e) {
        span.error("invalid_argument").end();
        throw rejected(MeshRejectedException.Reason.INVALID_ARGUMENT, e.getMessage(), 0);
      }
      if (result instanceof SendResult.Rejected<BroadcastId> r) {
        span.error(r.reason().name().toLowerCase(Locale.ROOT)).end();
        throw rejected(map(r.reason()), r.detail(), r.retryAfterNanos());
      }
      BroadcastId id = ((SendResult.Accepted<BroadcastId>) result).id();
      span.attribute(MeshTracing.MESSAGE_ID, id.toString()).end();
      accepted.complete(new Accepted(id.toString(),
          CompletableFuture.completedFuture(new Outcome(true, 1, Duration.ZERO, Optional.empty()))));
    });
    return accepted;
  }

  /**
   * Runs {@code task} on the owner loop: at once when called there (no thread hop, the way to
   * send at a high rate), unless application code called in from inside a core call (an outcome
   * or delivery callback), where running the core again would re-enter it; then, as from any
   * other thread, as a task.
   */
  private void onOwner(CompletableFuture<?> result, Runnable task) {
    if (closed) {
      result.completeExceptionally(rejected(MeshRejectedException.Reason.SHUTTING_DOWN,
          localNodeId + " is shutting down", 0));
      return;
    }
    if (owner.inEventLoop() && inCallback == 0) {
      runTask(result, task);
    } else {
      owner.execute(() -> runTask(result, task));
    }
  }

  private static void runTask(CompletableFuture<?> result, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /**
   * The loop that owns this node's mesh state. {@link #send} called on it runs at once, so a
   * high-rate producer (a load driver, the local API's batch path) submits its work there.
   */
  public EventLoop executor() {
    return owner;
  }

  private static MeshRejectedException rejected(
      MeshRejectedException.Reason reason, String detail, long retryAfterNanos) {
    return new MeshRejectedException(reason, detail,
        retryAfterNanos > 0 ? Optional.of(Duration.ofNanos(retryAfterNanos)) : Optional.empty());
  }

  private static MeshRejectedException.Reason map(dev.x0tta6bl4.node.delivery.Rejection reason) {
    switch (reason) {
      case QUEUE_FULL:
        return MeshRejectedException.Reason.QUEUE_FULL;
      case NO_ROUTE:
        return MeshRejectedException.Reason.NO_ROUTE;
      case PAYLOAD_TOO_LARGE:
        return MeshRejectedException.Reason.PAYLOAD_TOO_LARGE;
      case CLOSED:
        return MeshRejectedException.Reason.SHUTTING_DOWN;
      default:
        return MeshRejectedException.Reason.INVALID_ARGUMENT;
    }
  }

  @Override
  public Subscription subscribe(String topic, Consumer<InboundMessage> listener) {
    List<Consumer<InboundMessage>> list =
        subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
    list.add(listener);
    metrics.subscriptions(+1);
    return new Subscription() {
      private boolean done;

      @Override
      public synchronized void close() {
        if (!done) {
          done = true;
          list.remove(listener);
          metrics.subscriptions(-1);
        }
      }
    };
  }

  @Override
  public CompletableFuture<MeshStatus> status() {
    CompletableFuture<MeshStatus> result = new CompletableFuture<>();
    onOwner(result, () -> result.complete(new MeshStatus(localNodeId, localSpiffeId, version,
        Duration.ofNanos(nanoClock.getAsLong() - startNanos), router.localLinks().size(),
        routes.size(), unicast.inFlight(), !closed)));
    return result;
  }

  @Override
  public CompletableFuture<List<PeerInfo>> peers() {
    // links.snapshot() waits for the link loops: never on the owner loop the stats complete on
    return advertStats().thenApplyAsync(stats -> links.snapshot().stream()
        .map(s -> new PeerInfo(s.peerId(), s.peerSpiffeId(), s.peerListenAddress(), s.outbound(),
            s.detector() == null ? "unknown" : s.detector().status().name().toLowerCase(Locale.ROOT),
            s.detector() == null ? 0 : s.detector().phi(),
            s.detector() == null || s.detector().smoothedRttNanos().isEmpty() ? Optional.empty()
                : Optional.of(Duration.ofNanos(s.detector().smoothedRttNanos().getAsLong())),
            s.clockOffsetSeconds(),
            rejectedByReason(stats.get(s.peerId()))))
        .toList());
  }

  private static Map<String, Long> rejectedByReason(NeighbourAdvertStats stats) {
    Map<String, Long> byReason = new TreeMap<>();
    if (stats != null) {
      stats.rejected().forEach((reason, n) -> byReason.put(reason.name().toLowerCase(Locale.ROOT), n));
    }
    return byReason;
  }

  /**
   * Link-state advert counters per relaying neighbour since start (accepted, duplicates,
   * rejections by reason), kept after a link goes down; from any thread.
   */
  public CompletableFuture<SortedMap<String, NeighbourAdvertStats>> advertStats() {
    CompletableFuture<SortedMap<String, NeighbourAdvertStats>> result = new CompletableFuture<>();
    onOwner(result, () -> result.complete(router.neighbourStats()));
    return result;
  }

  /** The advert of {@code origin} held in the link-state database, if any; from any thread. */
  public CompletableFuture<Optional<LinkStateAdvert>> heldAdvert(String origin) {
    CompletableFuture<Optional<LinkStateAdvert>> result = new CompletableFuture<>();
    onOwner(result, () -> result.complete(router.advert(origin)));
    return result;
  }

  @Override
  public CompletableFuture<List<RouteInfo>> routes() {
    return CompletableFuture.completedFuture(routes.routes().stream()
        .map(r -> new RouteInfo(r.destination(), r.nextHop(), r.cost(), r.hops()))
        .toList());
  }

  /** The current route table; safe from any thread. */
  public RouteTable routeTable() {
    return routes;
  }

  @Override
  public void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    owner.submit(() -> {
      if (ticker != null) {
        ticker.cancel(false);
      }
      if (routeRecompute != null) {
        routeRecompute.cancel(false);
      }
      unicast.close(); // every pending message ends with DeliveryFailed(CLOSED)
    }).get(2, TimeUnit.SECONDS);
  }
}

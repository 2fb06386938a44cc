package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.delivery.BroadcastDelivery;
import dev.x0tta6bl4.node.delivery.BroadcastId;
import dev.x0tta6bl4.node.delivery.DeliveryAction;
import dev.x0tta6bl4.node.delivery.DeliveryCodec;
import dev.x0tta6bl4.node.delivery.MessageId;
import dev.x0tta6bl4.node.delivery.NextHops;
import dev.x0tta6bl4.node.delivery.SendResult;
import dev.x0tta6bl4.node.delivery.UnicastDelivery;
import dev.x0tta6bl4.node.membership.DetectorOutput;
import dev.x0tta6bl4.node.membership.FailureDetector;
import dev.x0tta6bl4.node.routing.FakeAdvertAuth;
import dev.x0tta6bl4.node.routing.LinkCostEstimator;
import dev.x0tta6bl4.node.routing.LinkStateRouter;
import dev.x0tta6bl4.node.routing.RouteTable;
import dev.x0tta6bl4.node.routing.RoutingAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One simulated node: the failure detector, the link-state router and the unicast and broadcast
 * delivery cores of one process life, glued together the way the production adapters glue them.
 *
 * <ul>
 *   <li>As {@code MeshLinks}: every frame on a link is evidence of life for the detector;
 *       heartbeats are echoed; a neighbour the detector declares DEAD gets a GOODBYE and its
 *       link is closed; a closed link is {@code linkClosed} for the detector and link-down for
 *       the router; heartbeat echoes are RTT samples.
 *   <li>As {@code MeshRouter}: a link up is {@code localLinkUp} with a fresh {@link
 *       LinkCostEstimator}'s cost, RTT samples re-cost the link through the estimator, adverts go
 *       to the router, {@code RoutesChanged} replaces the route table that the delivery cores ask
 *       for next hops; neighbours for flooding are the router's up links; data, acks and
 *       broadcasts cross the links in their {@link DeliveryCodec} encodings; acks are flushed
 *       after each received data frame.
 * </ul>
 *
 * <p>Adverts are "signed" with {@link FakeAdvertAuth} (a keyed 64-bit hash): Ed25519 for
 * hundreds of nodes would dominate the run time and is tested elsewhere. A crash throws the
 * instance away; a restart builds a new one with a new boot id and empty state. Single-threaded:
 * only {@link MeshSimulator}'s loop calls it.
 */
final class SimNode {
  private final MeshSimulator sim;
  final int index;
  final String id;
  final int incarnation;
  final long bootId;
  private final SimConfig config;
  private final SplittableRandom random;
  private final FailureDetector detector;
  private final LinkStateRouter router;
  private final UnicastDelivery unicast;
  private final BroadcastDelivery broadcasts;
  private final DeliveryCodec codec;

  /** Open connections: neighbour id to connection id. */
  private final TreeMap<String, Long> connections = new TreeMap<>();
  /** Dials in progress: neighbour id to the connection id offered. */
  private final TreeMap<String, Long> dialling = new TreeMap<>();
  private final Map<String, Integer> dialFailures = new HashMap<>();
  private final Map<String, LinkCostEstimator> costs = new HashMap<>();
  private RouteTable routes = RouteTable.empty();
  private long routerTickAt = Long.MIN_VALUE;
  private boolean deliveryTickPending;
  private boolean routerTouched = true;
  long suspicions;
  long deaths;
  long staleFrames;

  SimNode(MeshSimulator sim, int index, int incarnation, long bootId, SimConfig config,
      SplittableRandom random) {
    this.sim = sim;
    this.index = index;
    this.id = Topology.nodeId(index);
    this.incarnation = incarnation;
    this.bootId = bootId;
    this.config = config;
    this.random = random;
    this.detector = new FailureDetector(id, config.detector(), random.split());
    this.router = new LinkStateRouter(id, bootId, config.routing(), FakeAdvertAuth.signer(id),
        FakeAdvertAuth.verifier(), random.split());
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
    this.codec = new DeliveryCodec(config.delivery().maxPayloadBytes());
    this.unicast = new UnicastDelivery(id, bootId, nextHops, config.delivery(), random.split(),
        this::onDelivery);
    this.broadcasts = new BroadcastDelivery(id, bootId, nextHops, config.delivery(),
        this::onDelivery);
  }

  // ---- life cycle and timers (called by the simulator)

  void start(long now) {
    handleRouting(router.tick(now));
    sim.scheduleTimer(this, MeshSimulator.DETECTOR_TICK, now + random.nextLong(config.detectorTickNanos()));
    sim.scheduleTimer(this, MeshSimulator.HOUSEKEEPING, now + config.housekeepingNanos());
    afterEvent(now);
  }

  void timer(int kind, long at, long now) {
    switch (kind) {
      case MeshSimulator.DETECTOR_TICK -> {
        routerTouched = true;
        handle(detector.tick(now), now);
        sim.scheduleTimer(this, MeshSimulator.DETECTOR_TICK, now + config.detectorTickNanos());
      }
      case MeshSimulator.ROUTER_TICK -> {
        if (at == routerTickAt) {
          routerTickAt = Long.MIN_VALUE;
          routerTouched = true;
          handleRouting(router.tick(now));
        }
      }
      case MeshSimulator.DELIVERY_TICK -> {
        deliveryTickPending = false;
        unicast.tick(now);
      }
      case MeshSimulator.HOUSEKEEPING -> {
        unicast.tick(now);
        broadcasts.tick(now);
        sim.scheduleTimer(this, MeshSimulator.HOUSEKEEPING, now + config.housekeepingNanos());
      }
      default -> throw new IllegalStateException("unknown timer " + kind);
    }
    afterEvent(now);
  }

  /**
   * Keeps the delivery tick scheduled while messages are in flight, and the router's timer at
   * its next deadline. {@link LinkStateRouter#nextTickNanos()} scans the database, so it is asked
   * only when the deadline can have moved earlier (a local link change or a router tick: a
   * pending own advert) and on every detector tick; a received advert only adds deadlines a full
   * max-age away, and the coalesced route recomputation, which {@link
   * LinkStateRouter#routeRecomputeDueNanos()} names in constant time. (Production's {@code
   * MeshRouter} ticks the router every 5 ms and sets a one-shot timer for the recomputation.)
   */
  private void afterEvent(long now) {
    if (routerTouched) {
      routerTouched = false;
      var next = router.nextTickNanos();
      if (next.isPresent()) {
        scheduleRouterTick(next.getAsLong(), now);
      }
    }
    var recompute = router.routeRecomputeDueNanos();
    if (recompute.isPresent()) {
      scheduleRouterTick(recompute.getAsLong(), now);
    }
    if (!deliveryTickPending && unicast.inFlight() > 0) {
      deliveryTickPending = true;
      sim.scheduleTimer(this, MeshSimulator.DELIVERY_TICK, now + config.deliveryTickNanos());
    }
  }

  private void scheduleRouterTick(long deadline, long now) {
    long at = Math.max(now, deadline);
    if (routerTickAt == Long.MIN_VALUE || at < routerTickAt) {
      routerTickAt = at;
      sim.scheduleTimer(this, MeshSimulator.ROUTER_TICK, at);
    }
  }

  // ---- link layer

  /** Starts a dial to {@code peer} unless connected or already dialling. */
  void dial(String peer, long now) {
    if (connections.containsKey(peer) || dialling.containsKey(peer)) {
      return;
    }
    long connection = sim.newConnectionId();
    dialling.put(peer, connection);
    sim.transmit(this, peer, connection, new SimFrame.Hello(connection));
    sim.scheduleDialTimeout(this, peer, connection, now + config.connectTimeoutNanos());
  }

  void dialTimedOut(String peer, long connection, long now) {
    Long pending = dialling.get(peer);
    if (pending != null && pending == connection) {
      dialling.remove(peer);
      int failures = dialFailures.merge(peer, 1, Integer::sum);
      sim.scheduleDial(this, peer, now + backoff(failures));
    }
  }

  private long backoff(int failures) {
    long min = config.reconnectMinNanos();
    long max = config.reconnectMaxNanos();
    long base = failures <= 1 ? min : Math.min(max, min << Math.min(30, failures - 1));
    return base / 2 + (long) (random.nextDouble() * (base / 2.0)); // "equal jitter", as MeshLinks
  }

  void frameReceived(String from, long connection, SimFrame frame, long now) {
    if (frame instanceof SimFrame.Hello hello) {
      // The reply goes first: frames the new link's first events send (database sync, the
      // first heartbeat) must not overtake it and reach a dialer that is not up yet.
      sim.transmit(this, from, hello.connection(), new SimFrame.HelloReply(hello.connection()));
      connectionOpened(from, hello.connection(), now);
    } else if (frame instanceof SimFrame.HelloReply reply) {
      Long pending = dialling.get(from);
      if (pending != null && pending == reply.connection()) {
        dialling.remove(from);
        dialFailures.remove(from);
        connectionOpened(from, reply.connection(), now);
      } else {
        staleFrames++;
      }
    } else {
      Long current = connections.get(from);
      if (current == null || current != connection) {
        staleFrames++; // a frame of a connection this node no longer has
      } else {
        onLinkFrame(from, frame, now);
      }
    }
    afterEvent(now);
  }

  private void onLinkFrame(String from, SimFrame frame, long now) {
    if (frame instanceof SimFrame.Goodbye goodbye) {
      connectionClosed(from, goodbye.reason(), now);
    } else if (frame instanceof SimFrame.Heartbeat hb) {
      handle(detector.heartbeatReceived(from, now), now);
      send(from, new SimFrame.HeartbeatAck(hb.seq(), hb.sentNanos()));
    } else if (frame instanceof SimFrame.HeartbeatAck ack) {
      handle(detector.heartbeatAckReceived(from, ack.seq(), ack.sentNanos(), now), now);
      LinkCostEstimator estimator = costs.get(from);
      long rtt = now - ack.sentNanos();
      if (estimator != null && rtt > 0 && connections.containsKey(from)) {
        estimator.onRttSample(rtt, now)
            .ifPresent(cost -> {
              routerTouched = true;
              handleRouting(router.localLinkCostChanged(from, cost, now));
            });
      }
    } else if (frame instanceof SimFrame.ProbeRequest request) {
      handle(detector.probeRequestReceived(from, request.probeId(), request.target(), now), now);
    } else if (frame instanceof SimFrame.ProbeResult result) {
      handle(detector.probeResultReceived(from, result.probeId(), result.target(),
          result.outcome(), now), now);
    } else if (frame instanceof SimFrame.Opaque opaque) {
      handle(detector.evidenceOfLife(from, now), now);
      switch (opaque.kind()) {
        case LINK_STATE_ADVERT -> handleRouting(router.advertReceived(from, opaque.body(), now));
        case DATA -> {
          unicast.dataReceived(from, codec.decodeData(opaque.body()), now);
          unicast.flushAcks(now);
        }
        case DATA_ACK -> unicast.ackReceived(from, codec.decodeAck(opaque.body()), now);
        case BROADCAST -> broadcasts.broadcastReceived(from, codec.decodeBroadcast(opaque.body()), now);
        default -> throw new IllegalStateException("unknown kind " + opaque.kind());
      }
    } else {
      throw new IllegalStateException("unexpected frame " + frame);
    }
  }

  /** A connection to {@code peer} is open; an older one to the same peer is replaced. */
  void connectionOpened(String peer, long connection, long now) {
    if (connections.containsKey(peer)) {
      connectionClosed(peer, "replaced", now);
    }
    connections.put(peer, connection);
    sim.recordLink(this, peer, true);
    handle(detector.linkUp(peer, now), now);
    LinkCostEstimator estimator = new LinkCostEstimator();
    costs.put(peer, estimator);
    routerTouched = true;
    handleRouting(router.localLinkUp(peer, estimator.reportedCost(), now));
  }

  /** The connection to {@code peer} closed: detector, router, and the dialer's redial. */
  void connectionClosed(String peer, String reason, long now) {
    if (connections.remove(peer) == null) {
      return;
    }
    sim.recordLink(this, peer, false);
    costs.remove(peer);
    handle(detector.linkClosed(peer, now), now);
    routerTouched = true;
    handleRouting(router.localLinkDown(peer, now));
    sim.connectionClosed(this, peer, now);
  }

  /** The kernel reports connection {@code connection} to {@code peer} reset. */
  void connectionReset(String peer, long connection, long now) {
    Long current = connections.get(peer);
    if (current != null && current == connection) {
      connectionClosed(peer, "reset", now);
    }
    afterEvent(now);
  }

  // ---- core outputs

  private void handle(List<DetectorOutput> outputs, long now) {
    for (DetectorOutput output : outputs) {
      if (output instanceof DetectorOutput.SendHeartbeat hb) {
        send(hb.peer(), new SimFrame.Heartbeat(hb.seq(), hb.sentNanos()));
      } else if (output instanceof DetectorOutput.SendProbeRequest probe) {
        send(probe.via(), new SimFrame.ProbeRequest(probe.probeId(), probe.target()));
      } else if (output instanceof DetectorOutput.SendProbeResult result) {
        send(result.to(), new SimFrame.ProbeResult(result.probeId(), result.target(),
            result.outcome()));
      } else if (output instanceof DetectorOutput.Suspected) {
        suspicions++;
      } else if (output instanceof DetectorOutput.Dead dead) {
        if (dead.reason() != dev.x0tta6bl4.node.membership.DeathReason.LINK_CLOSED) {
          // As MeshLinks.onDead: GOODBYE to the peer, then the link closes here.
          deaths++;
          send(dead.peer(), new SimFrame.Goodbye("dead:" + dead.reason()));
          connectionClosed(dead.peer(), "dead", now);
        }
      }
    }
  }

  private void handleRouting(List<RoutingAction> actions) {
    for (RoutingAction action : actions) {
      if (action instanceof RoutingAction.FloodAdvert flood) {
        SimFrame frame = new SimFrame.Opaque(SimFrame.Kind.LINK_STATE_ADVERT, flood.advert());
        for (String peer : flood.toNeighbours()) {
          send(peer, frame);
        }
      } else if (action instanceof RoutingAction.SendAdvert advert) {
        send(advert.toNeighbour(), new SimFrame.Opaque(SimFrame.Kind.LINK_STATE_ADVERT,
            advert.advert()));
      } else if (action instanceof RoutingAction.RoutesChanged changed) {
        routes = changed.routes();
        sim.routesChanged();
      } else if (action instanceof RoutingAction.AdvertRejected rejected) {
        sim.advertRejected(this, rejected);
      }
    }
  }

  private void onDelivery(DeliveryAction action) {
    if (action instanceof DeliveryAction.Forward forward) {
      send(forward.nextHop(), new SimFrame.Opaque(SimFrame.Kind.DATA, codec.encode(forward.message())));
    } else if (action instanceof DeliveryAction.SendAck ack) {
      send(ack.nextHop(), new SimFrame.Opaque(SimFrame.Kind.DATA_ACK, codec.encode(ack.ack())));
    } else if (action instanceof DeliveryAction.ForwardBroadcast forward) {
      send(forward.neighbour(), new SimFrame.Opaque(SimFrame.Kind.BROADCAST,
          codec.encode(forward.message())));
    } else {
      sim.ledger().record(this, action);
    }
  }

  /** Sends over the open connection to {@code peer}; without one the frame is refused. */
  private void send(String peer, SimFrame frame) {
    Long connection = connections.get(peer);
    if (connection == null) {
      sim.sendRefused();
      return;
    }
    sim.transmit(this, peer, connection, frame);
  }

  // ---- application side

  SendResult<MessageId> send(String destination, byte[] payload, long now) {
    SendResult<MessageId> result = unicast.send(destination, "sim", payload, null, now);
    if (result instanceof SendResult.Accepted<MessageId> accepted) {
      sim.ledger().sent(this, accepted.id(), now);
    }
    afterEvent(now);
    return result;
  }

  SendResult<BroadcastId> broadcast(byte[] payload, long now) {
    SendResult<BroadcastId> result = broadcasts.broadcast("sim", payload, null, now);
    afterEvent(now);
    return result;
  }

  // ---- inspection

  RouteTable routes() {
    return routes;
  }

  /** Open connections, neighbour id to connection id (read-only view). */
  Map<String, Long> connections() {
    return java.util.Collections.unmodifiableMap(connections);
  }

  LinkStateRouter router() {
    return router;
  }

  FailureDetector detector() {
    return detector;
  }

  UnicastDelivery unicast() {
    return unicast;
  }

  BroadcastDelivery broadcasts() {
    return broadcasts;
  }
}

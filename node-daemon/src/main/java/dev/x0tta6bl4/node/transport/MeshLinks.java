package dev.x0tta6bl4.node.transport;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.membership.DetectorOutput;
import dev.x0tta6bl4.node.membership.FailureDetector;
import dev.x0tta6bl4.node.membership.PeerState;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.pqc.HandshakeInspector;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's mesh links: accepts and dials TLS connections, admits them after HELLO, keeps
 * between {@code mesh.min-neighbours} and {@code mesh.max-neighbours} links, reconnects with
 * jittered exponential backoff, drives the sans-IO {@link FailureDetector} with heartbeats
 * and indirect probes, and drains with GOODBYE on close.
 *
 * <p>Threading: all link state (links, dial targets, penalties, the detector) is owned by one
 * event loop of the node's group, the "owner"; channel handlers hand events over with {@code
 * owner.execute}. Queries from other threads go through {@link #snapshot()}. Built, started
 * and closed by the node's container.
 */
public final class MeshLinks implements Component {
  private static final Logger log = LoggerFactory.getLogger(MeshLinks.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

  /** Receives link events on the owner loop; must not block. */
  public interface Listener {
    default void linkUp(Link link) {}

    default void linkDown(String peerId, String reason) {}

    default void frameReceived(Link link, Frame frame) {}

    default void peerSuspected(String peerId, double phi) {}

    default void peerDead(String peerId, String reason) {}

    /** A heartbeat round-trip sample on the link to {@code peerId}. */
    default void rttSample(String peerId, long rttNanos) {}
  }

  /** One established link as seen at a moment, for the API, metrics and the test harness. */
  public record LinkSnapshot(
      String peerId,
      String peerSpiffeId,
      boolean outbound,
      String remoteAddress,
      String peerListenAddress,
      PeerState detector,
      double clockOffsetSeconds) {}

  /**
   * The established links as the owner loop last published them (every half heartbeat interval
   * and on every link change), with the owner's monotonic and wall clocks at that moment, so a
   * reader on another thread can tell how long each peer has been silent without waiting for the
   * loop. Immutable.
   */
  public record LinkView(long atNanos, long atWallMillis, List<LinkSnapshot> links) {
    public LinkView {
      links = List.copyOf(links);
    }

    static final LinkView EMPTY = new LinkView(0, 0, List.of());
  }

  private final NodeConfig.Mesh settings;
  private final String localNodeId;
  private final SpiffeId localSpiffeId;
  private final TlsContextFactory tls;
  private final EventLoopGroup group;
  private final EventLoop owner;
  private final FailureDetector detector;
  private final FaultController faults;
  private final LongSupplier nanoClock;
  private final LongSupplier wallMillis;
  private final RandomGenerator random;
  private final long bootId;
  private final LinkMetrics metrics;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  // Owned by the owner loop.
  private final Map<String, Link> links = new TreeMap<>();
  private final Map<String, LinkMetrics.PeerMeters> peerMeters = new HashMap<>();
  private final Map<String, DialTarget> targets = new LinkedHashMap<>();
  private final Map<String, Penalty> penalties = new HashMap<>();
  private final Map<Channel, String> closeReasons = new HashMap<>();
  private final List<Channel> pending = new ArrayList<>();
  private Frame.Hello hello;
  private Channel serverChannel;
  private io.netty.util.concurrent.ScheduledFuture<?> ticker;
  private volatile int activeLinks;
  /** Refusals in force, republished by the owner loop whenever they change. */
  private volatile Map<String, Refusal> refusals = Map.of();
  /** Malformed-data strikes per peer since start, published by the owner loop. */
  private volatile Map<String, Integer> strikes = Map.of();
  private volatile LinkView view = LinkView.EMPTY;
  private volatile boolean closing;

  /** A known address to dial: a seed, or a neighbour's advertised listen address. */
  private static final class DialTarget {
    final HostPort address;
    final boolean seed;
    String nodeId;
    boolean sticky;
    boolean self;
    boolean inProgress;
    int failures;
    long nextAttemptNanos;

    DialTarget(HostPort address, boolean seed) {
      this.address = address;
      this.seed = seed;
    }
  }

  /** Why and until when a peer is refused; the GOODBYE its connections get. */
  record Refusal(long untilNanos, GoodbyeReason reason, String detail) {}

  /**
   * Times each peer was cut off for sending malformed data (undecodable or out-of-protocol
   * frames) since start; from any thread. The self-healing loop reads it as evidence of a
   * misbehaving peer.
   */
  public Map<String, Integer> malformedStrikes() {
    return strikes;
  }

  /**
   * The refusal of {@code peer} in force now, if any, with the GOODBYE detail to send it; from
   * any thread (channel loops check it before sending HELLO).
   */
  Optional<Refusal> refusalOf(String peer) {
    Refusal r = refusals.get(peer);
    long now = nanoClock.getAsLong();
    if (r == null || r.untilNanos() - now <= 0) {
      return Optional.empty();
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(r.untilNanos() - now));
    return Optional.of(new Refusal(r.untilNanos(), r.reason(),
        r.detail() + "; refused for another " + seconds + "s"));
  }

  private void publishRefusals() {
    Map<String, Refusal> copy = new HashMap<>();
    penalties.forEach((peer, p) -> copy.put(peer, new Refusal(p.untilNanos, p.reason, p.detail)));
    refusals = Map.copyOf(copy);
  }

  /**
   * A peer refused until {@code untilNanos}: it sent malformed data (strikes grow the backoff),
   * or the node's self-healing dropped or quarantined it ({@link #refuse}).
   */
  private static final class Penalty {
    int strikes;
    long untilNanos;
    GoodbyeReason reason = GoodbyeReason.PROTOCOL_ERROR;
    String detail = "sent malformed data";
  }

  public MeshLinks(
      NodeConfig.Mesh settings,
      String localNodeId,
      SpiffeId localSpiffeId,
      TlsContextFactory tls,
      EventLoopGroup group,
      FailureDetector detector,
      FaultController faults,
      MeterRegistry registry,
      LongSupplier nanoClock,
      LongSupplier wallMillis,
      RandomGenerator random) {
    this.settings = settings;
    this.localNodeId = localNodeId;
    this.localSpiffeId = localSpiffeId;
    this.tls = tls;
    this.group = group;
    this.owner = group.next();
    this.detector = detector;
    this.faults = faults;
    this.nanoClock = nanoClock;
    this.wallMillis = wallMillis;
    this.random = random;
    this.bootId = random.nextLong();
    this.metrics = new LinkMetrics(registry, () -> activeLinks);
    for (HostPort seed : settings.seeds()) {
      targets.put(seed.toString(), new DialTarget(seed, true));
    }
  }

  /** Adds a listener; call before {@link #start()}. */
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * Adds a listener after start: on the owner loop it is registered and told about every
   * link already up, so it misses nothing and sees nothing twice.
   */
  public void addListenerAndReplay(Listener listener) {
    owner.execute(() -> {
      listeners.add(listener);
      links.values().forEach(listener::linkUp);
    });
  }

  /**
   * The loop that owns the link state and runs every listener. Components that feed on link
   * events (routing, delivery) run their own state on it too, so they need no locks.
   */
  public io.netty.channel.EventLoop executor() {
    return owner;
  }

  NodeConfig.Mesh settings() {
    return settings;
  }

  String localNodeId() {
    return localNodeId;
  }

  long wallClockMillis() {
    return wallMillis.getAsLong();
  }

  Frame.Hello localHello() {
    return hello;
  }

  @Override
  public void start() throws InterruptedException {
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
            .childHandler(initializer(false, null))
            .bind(settings.bind().host(), settings.bind().port())
            .await();
    if (!bind.isSuccess()) {
      throw new TransportException(
          "mesh.bind " + settings.bind() + ": cannot listen: " + bind.cause().getMessage(),
          bind.cause());
    }
    serverChannel = bind.channel();
    InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
    HostPort advertised =
        settings.advertise() != null
            ? settings.advertise()
            : new HostPort(settings.bind().host(), bound.getPort());
    hello =
        new Frame.Hello(localNodeId, localSpiffeId.toUri(), FrameFormat.PROTOCOL_VERSION,
            FrameFormat.PROTOCOL_VERSION, FrameFormat.LOCAL_CAPABILITIES, advertised.toString(),
            bootId);
    long period = Math.max(1, detector.settings().heartbeatInterval().toNanos() / 2);
    ticker = owner.scheduleAtFixedRate(this::tickSafely, 0, period, TimeUnit.NANOSECONDS);
    log.info(
        "mesh links listening {} {} {}",
        kv("address", advertised.toString()),
        kv("seeds", settings.seeds().toString()),
        kv("neighbours", settings.minNeighbours() + ".." + settings.maxNeighbours()));
  }

  /** The bound listen address (with the actual port when {@code mesh.bind} used port 0). */
  public InetSocketAddress boundAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Adds an address to dial when below the minimum (and keep dialling while it is a seed). */
  public void addSeed(HostPort address) {
    owner.execute(() -> targets.computeIfAbsent(address.toString(), k -> new DialTarget(address, true)));
  }

  /** The established links, read on the owner loop. Do not call from an event loop. */
  public List<LinkSnapshot> snapshot() {
    try {
      return owner.submit(this::snapshotOnOwner).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while reading links", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new TransportException("cannot read links: " + e, e);
    }
  }

  /** Sends {@code frame} to a neighbour; false if there is no such link or it pushes back. */
  public boolean send(String peerId, Frame frame) {
    Link link = currentLinks().get(peerId);
    if (link != null && link.trySend(frame)) {
      metrics.frameOut(frame);
      return true;
    }
    return false;
  }

  /**
   * Sends {@code frame} regardless of the outbound high-water mark; false only if there is no
   * link to {@code peerId}. For small frames whose loss costs more than the bytes they take: a
   * routing advert refused under backpressure would not be sent again before the next refresh
   * (30 s), leaving the neighbour with stale routes. Routing rate-limits its adverts, so this
   * cannot grow a queue without bound.
   */
  public boolean sendRegardlessOfBackpressure(String peerId, Frame frame) {
    Link link = currentLinks().get(peerId);
    if (link == null) {
      return false;
    }
    link.sendControl(frame);
    metrics.frameOut(frame);
    return true;
  }

  private volatile Map<String, Link> published = Map.of();

  /** The links as last published by the owner loop; safe from any thread. */
  public Map<String, Link> currentLinks() {
    return published;
  }

  private List<LinkSnapshot> snapshotOnOwner() {
    long now = nanoClock.getAsLong();
    List<LinkSnapshot> result = new ArrayList<>();
    for (Link link : links.values()) {
      LinkMetrics.PeerMeters m = peerMeters.get(link.peerId());
      result.add(new LinkSnapshot(link.peerId(), link.peerSpiffeId(), link.outbound(),
          String.valueOf(link.remoteAddress()),
          link.peerListenAddress(), detector.peer(link.peerId(), now).orElse(null),
          m == null ? 0 : m.clockOffsetSeconds));
    }
    return result;
  }

  // ---- events from channel handlers (any loop) ----

  void installFaults(LinkHandler handler) {
    if (faults != null) {
      handler.context().pipeline().addBefore("link", "faults",
          faults.forLink(localNodeId, handler.peerId()));
    }
  }

  void onTlsEstablished(LinkHandler handler) {
    HandshakeInspector inspector = handler.context().pipeline().get(HandshakeInspector.class);
    String group = inspector == null ? null : inspector.observation().selectedGroupName().orElse("unknown");
    if (inspector != null) {
      handler.context().pipeline().remove(inspector);
    }
    metrics.handshake("success", group);
    String peer = handler.peerId();
    owner.execute(() -> {
      Penalty penalty = penalties.get(peer);
      long now = nanoClock.getAsLong();
      if (penalty != null && penalty.untilNanos > now) {
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(penalty.untilNanos - now));
        GoodbyeReason reason = penalty.reason;
        String detail = penalty.detail + "; refused for another " + seconds + "s";
        onChannelLoop(handler, () -> handler.goodbye(reason, detail));
      }
    });
  }

  void onHandshakeFailed(LinkHandler handler, Throwable cause) {
    metrics.handshake("failure", null);
    log.warn("mesh TLS handshake failed {} {}",
        kv("remote", String.valueOf(handler.context().channel().remoteAddress())),
        kv("error", String.valueOf(cause)));
  }

  void onHello(LinkHandler handler, Frame.Hello peerHello) {
    owner.execute(() -> register(handler, peerHello));
  }

  void onFrame(LinkHandler handler, Frame frame) {
    metrics.frameIn(frame);
    owner.execute(() -> dispatch(handler, frame));
  }

  void onGoodbye(LinkHandler handler, Frame.Goodbye goodbye) {
    metrics.frameIn(goodbye);
    log.info("neighbour said goodbye {} {} {}", kv("peer", handler.peerId()),
        kv("reason", goodbye.reason().name()), kv("detail", goodbye.detail()));
    Channel channel = handler.context().channel();
    owner.execute(() -> closeReasons.put(channel, "goodbye:" + goodbye.reason().name().toLowerCase()));
  }

  void onLocalGoodbye(LinkHandler handler, GoodbyeReason reason) {
    Channel channel = handler.context().channel();
    owner.execute(() -> {
      closeReasons.put(channel, "sent-goodbye:" + reason.name().toLowerCase());
      if (reason == GoodbyeReason.IDENTITY_MISMATCH && localNodeId.equals(handler.peerId())
          && handler.dialKey() != null) {
        DialTarget target = targets.get(handler.dialKey());
        if (target != null) {
          target.self = true; // our own address among the seeds: never dial it again
        }
      }
    });
  }

  void onDecodeError(LinkHandler handler, FrameDecodingException.Reason reason) {
    metrics.decodeError(reason);
    String peer = handler.peerId();
    if (peer != null) {
      owner.execute(() -> penalize(peer));
    }
  }

  void onChannelClosed(LinkHandler handler) {
    Channel channel = handler.context().channel();
    owner.execute(() -> closed(handler, channel));
  }

  // ---- owner loop ----

  private void register(LinkHandler handler, Frame.Hello peerHello) {
    Channel channel = handler.context().channel();
    String peer = peerHello.nodeId();
    if (closing) {
      onChannelLoop(handler, () -> handler.goodbye(GoodbyeReason.NORMAL_SHUTDOWN, "node is shutting down"));
      return;
    }
    long nowNanos = nanoClock.getAsLong();
    Penalty penalty = penalties.get(peer);
    if (penalty != null && penalty.untilNanos - nowNanos > 0) {
      // The check after TLS may still be on its way: never admit a refused peer, even briefly.
      long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(penalty.untilNanos - nowNanos));
      GoodbyeReason reason = penalty.reason;
      String detail = penalty.detail + "; refused for another " + seconds + "s";
      onChannelLoop(handler, () -> handler.goodbye(reason, detail));
      return;
    }
    Link existing = links.get(peer);
    if (existing != null) {
      if (!preferNewConnection(localNodeId, peer, handler.outbound(), existing.outbound())) {
        onChannelLoop(handler, () -> handler.goodbye(GoodbyeReason.DUPLICATE_LINK,
            "a link to " + localNodeId + " already exists"));
        return;
      }
      // Both ends keep the connection dialled by the smaller node id; swap quietly.
      closeReasons.put(existing.channel(), "replaced-duplicate");
      links.put(peer, newLink(handler, peerHello, channel));
      publish();
      sendGoodbye(existing, GoodbyeReason.DUPLICATE_LINK, "replaced by the preferred connection");
      return;
    }
    if (links.size() >= settings.maxNeighbours()) {
      onChannelLoop(handler, () -> handler.goodbye(GoodbyeReason.TOO_MANY_LINKS,
          localNodeId + " has its maximum of " + settings.maxNeighbours() + " links"));
      return;
    }
    Link link = newLink(handler, peerHello, channel);
    links.put(peer, link);
    pending.remove(channel);
    peerMeters.put(peer, metrics.registerPeer(peer));
    publish();
    long now = nanoClock.getAsLong();
    if (handler.dialKey() != null) {
      DialTarget target = targets.get(handler.dialKey());
      if (target != null) {
        target.inProgress = false;
        target.failures = 0;
        target.nodeId = peer;
        target.sticky = true;
      }
    }
    learnAddress(peer, peerHello.listenAddress());
    metrics.transition("up", null);
    log.info("link up {} {} {}", kv("peer", peer), kv("direction", handler.outbound() ? "out" : "in"),
        kv("remote", String.valueOf(channel.remoteAddress())));
    handle(detector.linkUp(peer, now));
    listeners.forEach(l -> l.linkUp(link));
  }

  /**
   * Of two connections between the same two nodes, both ends keep the one dialled by the node
   * with the smaller id, so they agree without talking; a second connection in the same
   * direction never replaces the first.
   */
  static boolean preferNewConnection(
      String localId, String peerId, boolean newIsOutbound, boolean existingIsOutbound) {
    if (newIsOutbound == existingIsOutbound) {
      return false;
    }
    boolean localIsPreferredDialer = localId.compareTo(peerId) < 0;
    return newIsOutbound == localIsPreferredDialer;
  }

  private Link newLink(LinkHandler handler, Frame.Hello peerHello, Channel channel) {
    return new Link(peerHello.nodeId(), peerHello.spiffeId(), peerHello.listenAddress(),
        peerHello.capabilities(), channel, handler.outbound(), nanoClock.getAsLong(),
        metrics::backpressure);
  }

  private void learnAddress(String peer, String listenAddress) {
    HostPort address;
    try {
      address = HostPort.parse(listenAddress);
    } catch (RuntimeException e) {
      return;
    }
    DialTarget target = targets.computeIfAbsent(address.toString(), k -> new DialTarget(address, false));
    target.nodeId = peer;
  }

  private void dispatch(LinkHandler handler, Frame frame) {
    Link link = links.get(handler.peerId());
    if (link == null || link.channel() != handler.context().channel()) {
      return; // a duplicate connection on its way out
    }
    String peer = link.peerId();
    long now = nanoClock.getAsLong();
    if (frame instanceof Frame.Heartbeat) {
      handle(detector.heartbeatReceived(peer, now));
    } else if (frame instanceof Frame.HeartbeatAck ack) {
      handle(detector.heartbeatAckReceived(peer, ack.sequence(), ack.echoedSenderTimeNanos(), now));
      recordRtt(peer, now - ack.echoedSenderTimeNanos(), ack.responderTimeMillis());
    } else if (frame instanceof Frame.ProbeRequest request) {
      handle(detector.probeRequestReceived(peer, request.probeId(), request.targetNodeId(), now));
    } else if (frame instanceof Frame.ProbeResult result) {
      handle(detector.probeResultReceived(peer, result.probeId(), result.targetNodeId(),
          dev.x0tta6bl4.node.membership.ProbeOutcome.valueOf(result.outcome().name()), now));
    } else {
      handle(detector.evidenceOfLife(peer, now));
      for (Listener listener : listeners) { // every data frame passes here: no lambda
        listener.frameReceived(link, frame);
      }
    }
  }

  private void recordRtt(String peer, long rttNanos, long responderMillis) {
    LinkMetrics.PeerMeters m = peerMeters.get(peer);
    if (m == null || rttNanos <= 0) {
      return;
    }
    m.rtt.record(rttNanos, TimeUnit.NANOSECONDS);
    listeners.forEach(l -> l.rttSample(peer, rttNanos));
    // NTP-style: the responder read its clock about half an RTT before we received the ack.
    double localAtResponse = wallMillis.getAsLong() - rttNanos / 2e6;
    m.clockOffsetSeconds = (responderMillis - localAtResponse) / 1000.0;
  }

  private void closed(LinkHandler handler, Channel channel) {
    pending.remove(channel);
    String reason = closeReasons.getOrDefault(channel, "connection closed");
    closeReasons.remove(channel);
    String peer = handler.peerId();
    Link link = peer == null ? null : links.get(peer);
    if (link != null && link.channel() == channel) {
      links.remove(peer);
      LinkMetrics.PeerMeters m = peerMeters.remove(peer);
      if (m != null) {
        metrics.removePeer(m);
      }
      publish();
      metrics.transition("down", reason.replaceAll("[^a-z_:-]", "_"));
      log.info("link down {} {}", kv("peer", peer), kv("reason", reason));
      handle(detector.linkClosed(peer, nanoClock.getAsLong()));
      listeners.forEach(l -> l.linkDown(peer, reason));
      if (handler.dialKey() != null) {
        DialTarget target = targets.get(handler.dialKey());
        if (target != null) {
          target.inProgress = false;
          scheduleRetry(target, 1);
        }
      }
    } else if (handler.dialKey() != null && !"replaced-duplicate".equals(reason)) {
      DialTarget target = targets.get(handler.dialKey());
      if (target != null && target.inProgress) {
        target.inProgress = false;
        target.failures++;
        scheduleRetry(target, target.failures);
      }
    }
  }

  private void penalize(String peer) {
    long now = nanoClock.getAsLong();
    Penalty penalty = penalties.computeIfAbsent(peer, p -> new Penalty());
    penalty.strikes++;
    Map<String, Integer> counted = new HashMap<>(strikes);
    counted.merge(peer, 1, Integer::sum);
    strikes = Map.copyOf(counted);
    long seconds = Math.min(60, 1L << Math.min(6, penalty.strikes - 1));
    long until = now + TimeUnit.SECONDS.toNanos(seconds);
    if (penalty.untilNanos - until < 0) { // never shortens a longer refusal (a quarantine)
      penalty.untilNanos = until;
      penalty.reason = GoodbyeReason.PROTOCOL_ERROR;
      penalty.detail = "sent malformed data";
    }
    publishRefusals();
    log.warn("neighbour sent malformed data; backing off {} {} {}", kv("peer", peer),
        kv("strikes", penalty.strikes), kv("backoff_s", seconds));
  }

  private boolean penalized(String peer, long now) {
    Penalty penalty = penalties.get(peer);
    return penalty != null && penalty.untilNanos > now;
  }

  private void tickSafely() {
    try {
      long now = nanoClock.getAsLong();
      handle(detector.tick(now));
      for (Map.Entry<String, LinkMetrics.PeerMeters> e : peerMeters.entrySet()) {
        e.getValue().state = detector.peer(e.getKey(), now).orElse(null);
      }
      expireRefusals(now);
      publishView();
      if (!closing) {
        maintainNeighbours(now);
      }
    } catch (RuntimeException e) {
      log.error("mesh link tick failed: {}", e.toString(), e); // the next tick runs anyway
    }
  }

  private void maintainNeighbours(long now) {
    int dialling = (int) targets.values().stream().filter(t -> t.inProgress).count();
    for (DialTarget target : targets.values()) {
      if (links.size() + dialling >= settings.maxNeighbours()) {
        return;
      }
      if (target.self || target.inProgress || now < target.nextAttemptNanos) {
        continue;
      }
      if (target.nodeId != null && (links.containsKey(target.nodeId) || penalized(target.nodeId, now))) {
        continue;
      }
      boolean wanted = target.seed || target.sticky || links.size() + dialling < settings.minNeighbours();
      if (wanted) {
        dial(target);
        dialling++;
      }
    }
  }

  private void dial(DialTarget target) {
    target.inProgress = true;
    if (target.failures > 0) {
      metrics.count("meshd.link.reconnects", "Dial attempts after a failed or lost link",
          "kind", target.seed ? "seed" : "neighbour");
    }
    String key = target.address.toString();
    ChannelFuture connect =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.helloTimeout().toMillis())
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
            .handler(initializer(true, key))
            .connect(target.address.host(), target.address.port());
    pending.add(connect.channel());
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        owner.execute(() -> {
          pending.remove(connect.channel());
          target.inProgress = false;
          target.failures++;
          scheduleRetry(target, target.failures);
          log.debug("dial {} failed: {}", key, f.cause().toString());
        });
      }
    });
  }

  private void scheduleRetry(DialTarget target, int failures) {
    long min = settings.reconnectBackoffMin().toNanos();
    long max = settings.reconnectBackoffMax().toNanos();
    long base = failures <= 1 ? min : Math.min(max, min << Math.min(30, failures - 1));
    long jittered = base / 2 + (long) (random.nextDouble() * (base / 2.0)); // "equal jitter"
    target.nextAttemptNanos = nanoClock.getAsLong() + jittered;
  }

  private void handle(List<DetectorOutput> outputs) {
    for (DetectorOutput output : outputs) {
      if (output instanceof DetectorOutput.SendHeartbeat hb) {
        sendControl(hb.peer(), new Frame.Heartbeat(hb.seq(), hb.sentNanos()));
      } else if (output instanceof DetectorOutput.SendProbeRequest probe) {
        sendControl(probe.via(), new Frame.ProbeRequest(probe.probeId(), probe.target()));
      } else if (output instanceof DetectorOutput.SendProbeResult result) {
        sendControl(result.to(), new Frame.ProbeResult(result.probeId(), result.target(),
            ProbeOutcome.valueOf(result.outcome().name())));
      } else if (output instanceof DetectorOutput.Suspected suspected) {
        metrics.count("meshd.membership.suspicions", "Neighbours suspected by the failure detector",
            "kind", "phi");
        log.warn("neighbour suspected {} {}", kv("peer", suspected.peer()),
            kv("phi", Math.round(suspected.phi() * 100) / 100.0));
        listeners.forEach(l -> l.peerSuspected(suspected.peer(), suspected.phi()));
      } else if (output instanceof DetectorOutput.Recovered recovered) {
        log.info("neighbour recovered {}", kv("peer", recovered.peer()));
      } else if (output instanceof DetectorOutput.Dead dead) {
        onDead(dead);
      }
    }
  }

  private void onDead(DetectorOutput.Dead dead) {
    metrics.death(dead.reason());
    String reason = dead.reason().name().toLowerCase(Locale.ROOT);
    log.warn("neighbour declared dead {} {}", kv("peer", dead.peer()), kv("reason", reason));
    listeners.forEach(l -> l.peerDead(dead.peer(), reason));
    Link link = links.get(dead.peer());
    if (link != null) {
      closeReasons.put(link.channel(), "dead:" + reason);
      sendGoodbye(link, GoodbyeReason.PEER_UNRESPONSIVE, "declared dead: " + reason);
    }
  }

  private void sendControl(String peer, Frame frame) {
    Link link = links.get(peer);
    if (link != null) {
      link.sendControl(frame);
      metrics.frameOut(frame);
    }
  }

  private void sendGoodbye(Link link, GoodbyeReason reason, String detail) {
    Frame.Goodbye goodbye = Frame.Goodbye.of(reason, detail);
    metrics.frameOut(goodbye);
    Channel channel = link.channel();
    channel.writeAndFlush(goodbye).addListener(f -> channel.close());
    channel.eventLoop().schedule(() -> channel.close(), 1, TimeUnit.SECONDS);
  }

  private void publish() {
    published = Map.copyOf(links);
    activeLinks = links.size();
    publishView();
  }

  private void publishView() {
    view = new LinkView(nanoClock.getAsLong(), wallMillis.getAsLong(), snapshotOnOwner());
  }

  /**
   * The links with their failure-detector state as last published by the owner loop (at most
   * half a heartbeat interval old); safe from any thread and never waits, unlike {@link
   * #snapshot()}. Read by the node's self-healing sensors.
   */
  public LinkView view() {
    return view;
  }

  private static void onChannelLoop(LinkHandler handler, Runnable task) {
    handler.context().executor().execute(task);
  }

  private WriteBufferWaterMark waterMark() {
    int high = (int) Math.min(Integer.MAX_VALUE, settings.outboundBuffer().bytes());
    return new WriteBufferWaterMark(high / 2, high);
  }

  private ChannelInitializer<SocketChannel> initializer(boolean outbound, String dialKey) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        SslHandler ssl = outbound ? tls.newClientHandler(ch.alloc()) : tls.newServerHandler(ch.alloc());
        ssl.setHandshakeTimeoutMillis(settings.helloTimeout().toMillis());
        LinkHandler handler = new LinkHandler(MeshLinks.this, outbound, dialKey);
        int maxFrame = (int) settings.maxFrameSize().bytes();
        ch.pipeline()
            .addLast("inspect", new HandshakeInspector())
            .addLast("tls", ssl)
            .addLast("decoder", new FrameDecoder(maxFrame))
            .addLast("encoder", new FrameEncoder(maxFrame))
            .addLast("link", handler)
            .addLast("errors", new ProtocolErrorHandler(reason -> onDecodeError(handler, reason)));
      }
    };
  }

  /**
   * Closes the link to {@code peer} (if any) with GOODBYE {@code reason} and refuses the peer for
   * {@code period}: no dial to it, and its own connections are answered with GOODBYE. A later
   * call replaces the refusal (so a quarantine can be extended or shortened); a refusal ends by
   * itself after its period, or with {@link #lift}. Used by the node's self-healing to drop an
   * unusable link (a short refusal, so the link is not redialled at once) and to quarantine a
   * misbehaving peer. Any thread.
   *
   * @return completes on the owner loop with whether a link was closed
   */
  public CompletableFuture<Boolean> refuse(
      String peer, Duration period, GoodbyeReason reason, String detail) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    if (period == null || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("refusal period of " + peer + " must be positive, got " + period);
    }
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    owner.execute(() -> {
      Penalty penalty = penalties.computeIfAbsent(peer, p -> new Penalty());
      penalty.untilNanos = nanoClock.getAsLong() + period.toNanos();
      penalty.reason = reason;
      penalty.detail = detail;
      publishRefusals();
      Link link = links.get(peer);
      if (link != null) {
        closeReasons.put(link.channel(), "refused:" + reason.name().toLowerCase(Locale.ROOT));
        sendGoodbye(link, reason, detail);
      }
      log.warn("neighbour refused {} {} {} {}", kv("peer", peer), kv("reason", reason.name()),
          kv("period_ms", period.toMillis()), kv("detail", detail));
      result.complete(link != null);
    });
    return result;
  }

  /**
   * Ends a refusal of {@code peer} before its period and makes its known addresses due for a
   * dial at once. Any thread.
   *
   * @return completes on the owner loop with whether a refusal was in force
   */
  public CompletableFuture<Boolean> lift(String peer) {
    Objects.requireNonNull(peer, "peer");
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    owner.execute(() -> {
      Penalty removed = penalties.remove(peer);
      publishRefusals();
      boolean inForce = removed != null && removed.untilNanos - nanoClock.getAsLong() > 0;
      dueNow(peer);
      if (inForce) {
        log.info("neighbour refusal lifted {}", kv("peer", peer));
      }
      result.complete(inForce);
    });
    return result;
  }

  /**
   * Makes every known address of {@code peer} due for a dial now, forgetting its backoff (the
   * next link tick dials it unless it is linked or refused). Any thread.
   *
   * @return completes on the owner loop with how many addresses were made due
   */
  public CompletableFuture<Integer> redial(String peer) {
    Objects.requireNonNull(peer, "peer");
    CompletableFuture<Integer> result = new CompletableFuture<>();
    owner.execute(() -> result.complete(dueNow(peer)));
    return result;
  }

  /**
   * Dials one known address of a node that is neither linked, refused, dialled already nor in
   * {@code excluding}, if the node is below {@code mesh.max-neighbours}: a different neighbour
   * in place of one that was lost. The link, once up, is kept like any other. Any thread.
   *
   * @return completes on the owner loop with the node id dialled, or empty if there is none to
   *     dial or no room for another link
   */
  public CompletableFuture<Optional<String>> dialAlternate(
      Set<String> excluding) {
    Set<String> exclude = Set.copyOf(excluding);
    CompletableFuture<Optional<String>> result =
        new CompletableFuture<>();
    owner.execute(() -> {
      long now = nanoClock.getAsLong();
      int dialling = (int) targets.values().stream().filter(t -> t.inProgress).count();
      if (closing || links.size() + dialling >= settings.maxNeighbours()) {
        result.complete(Optional.empty());
        return;
      }
      for (DialTarget target : targets.values()) {
        if (target.self || target.inProgress || target.nodeId == null
            || exclude.contains(target.nodeId) || links.containsKey(target.nodeId)
            || penalized(target.nodeId, now)) {
          continue;
        }
        target.sticky = true; // a replacement neighbour is kept like one we chose before
        dial(target);
        result.complete(Optional.of(target.nodeId));
        return;
      }
      result.complete(Optional.empty());
    });
    return result;
  }

  private int dueNow(String peer) {
    int due = 0;
    for (DialTarget target : targets.values()) {
      if (peer.equals(target.nodeId) && !target.self) {
        target.failures = 0;
        target.nextAttemptNanos = nanoClock.getAsLong();
        due++;
      }
    }
    return due;
  }

  private void expireRefusals(long now) {
    if (penalties.isEmpty()) {
      return;
    }
    boolean removed = penalties.entrySet().removeIf(e -> {
      Penalty p = e.getValue();
      boolean expired = p.untilNanos - now <= 0;
      if (expired && p.reason != GoodbyeReason.PROTOCOL_ERROR) {
        log.info("neighbour refusal ended {} {}", kv("peer", e.getKey()), kv("reason", p.reason.name()));
      }
      return expired && p.reason != GoodbyeReason.PROTOCOL_ERROR; // strikes are kept
    });
    if (removed) {
      publishRefusals();
    }
  }

  /**
   * Drops every connection at once without GOODBYE, as a crash or a reset transport would;
   * neighbours see their sockets close and declare this node dead at once, and links are
   * then re-established as usual (with backoff).
   */
  public void dropAllConnections() {
    owner.execute(() -> {
      for (Link link : links.values()) {
        closeReasons.put(link.channel(), "dropped");
        link.channel().close();
      }
      pending.forEach(Channel::close);
    });
  }

  /** Sends GOODBYE to every neighbour, stops listening and waits (bounded) for the drain. */
  @Override
  public void close() throws InterruptedException {
    if (closing) {
      return;
    }
    closing = true;
    List<Channel> channels = new ArrayList<>();
    try {
      owner.submit(() -> {
        if (ticker != null) {
          ticker.cancel(false);
        }
        for (Link link : links.values()) {
          closeReasons.put(link.channel(), "local shutdown");
          sendGoodbye(link, GoodbyeReason.NORMAL_SHUTDOWN, localNodeId + " is shutting down");
          channels.add(link.channel());
        }
        pending.forEach(Channel::close);
        channels.addAll(pending);
      }).get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("mesh drain did not complete: {}", e.toString());
    }
    if (serverChannel != null) {
      serverChannel.close().await(DRAIN_TIMEOUT.toMillis());
    }
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    for (Channel channel : channels) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0 || !channel.closeFuture().await(left)) {
        channel.close();
      }
    }
    log.info("mesh links closed {}", kv("links_drained", channels.size()));
  }
}

package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.membership.DeathReason;
import dev.x0tta6bl4.node.membership.PeerState;
import dev.x0tta6bl4.observability.BoundedTagFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The link layer's meters. Per-peer series carry a {@code peer} tag, which the node's registry
 * caps with a {@link BoundedTagFilter} ({@code mesh.peer-metrics-limit}); everything else is tagged by frame
 * type, reason or outcome only, so cardinality stays bounded whatever the mesh size. Peers beyond
 * the limit share the RTT histogram {@code peer="_other"} and have no per-peer gauges.
 *
 * <p>Counters are thread-safe; per-peer meters are registered on link up and removed on link
 * down by the manager's thread.
 */
final class LinkMetrics {
  private final MeterRegistry registry;
  private final Map<FrameType, Counter> framesIn = new EnumMap<>(FrameType.class);
  private final Map<FrameType, Counter> framesOut = new EnumMap<>(FrameType.class);
  private final Counter bytesIn;
  private final Counter bytesOut;
  private final Map<FrameDecodingException.Reason, Counter> decodeErrors =
      new EnumMap<>(FrameDecodingException.Reason.class);
  private final Map<String, Counter> keyed = new ConcurrentHashMap<>();
  private final Counter backpressure;

  /** Per-peer meters and the latest detector view of that peer. */
  static final class PeerMeters {
    volatile PeerState state;
    volatile double clockOffsetSeconds;
    final Timer rtt;
    final List<Meter> meters = new ArrayList<>();

    PeerMeters(Timer rtt) {
      this.rtt = rtt;
    }
  }

  LinkMetrics(MeterRegistry registry, Supplier<Integer> activeLinks) {
    this.registry = registry;
    for (FrameType type : FrameType.values()) {
      String tag = type.name().toLowerCase(java.util.Locale.ROOT);
      framesIn.put(type, Counter.builder("meshd.link.frames.received").tag("type", tag)
          .description("Frames received on mesh links, by type").register(registry));
      framesOut.put(type, Counter.builder("meshd.link.frames.sent").tag("type", tag)
          .description("Frames sent on mesh links, by type").register(registry));
    }
    bytesIn = Counter.builder("meshd.link.received").baseUnit("bytes")
        .description("Frame bytes received on mesh links (plaintext, after TLS)").register(registry);
    bytesOut = Counter.builder("meshd.link.sent").baseUnit("bytes")
        .description("Frame bytes sent on mesh links (plaintext, before TLS)").register(registry);
    for (FrameDecodingException.Reason reason : FrameDecodingException.Reason.values()) {
      decodeErrors.put(reason, Counter.builder("meshd.link.decode.errors")
          .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
          .description("Malformed frames received; each closes its link with a GOODBYE")
          .register(registry));
    }
    backpressure = Counter.builder("meshd.link.backpressure.rejections")
        .description("Frames refused because a link's outbound buffer was above its high-water mark")
        .register(registry);
    Gauge.builder("meshd.link.active", activeLinks, s -> s.get())
        .strongReference(true) // nothing else holds the supplier: a GC would turn it into NaN
        .description("Established mesh links").register(registry);
    preRegister();
  }

  /**
   * Creates the keyed counters whose label values are known up front at zero, so that a scrape
   * shows them before the first event: {@code rate()} and {@code increase()} then see the first
   * increment, and docs/metrics.md (generated from a scrape) lists them.
   */
  private void preRegister() {
    for (String state : new String[] {"up", "down"}) {
      keyed("meshd.link.transitions", "Links coming up and going down", "state", state);
    }
    for (DeathReason reason : DeathReason.values()) {
      keyed("meshd.membership.deaths", "Neighbours declared dead, by reason", "reason",
          reason.name().toLowerCase(java.util.Locale.ROOT));
    }
    for (String outcome : new String[] {"success", "failure"}) {
      keyed("meshd.tls.handshakes", "Mesh TLS handshakes by outcome", "outcome", outcome);
    }
    for (String kind : new String[] {"seed", "neighbour"}) { // as MeshLinks counts them
      keyed("meshd.link.reconnects", "Dial attempts after a failed or lost link", "kind", kind);
    }
    keyed("meshd.membership.suspicions", "Neighbours suspected by the failure detector", "kind",
        "phi");
  }

  void frameIn(Frame frame) {
    framesIn.get(frame.type()).increment();
    bytesIn.increment(FrameEncoder.encodedLength(frame));
  }

  void frameOut(Frame frame) {
    framesOut.get(frame.type()).increment();
    bytesOut.increment(FrameEncoder.encodedLength(frame));
  }

  void decodeError(FrameDecodingException.Reason reason) {
    decodeErrors.get(reason).increment();
  }

  void backpressure() {
    backpressure.increment();
  }

  /** A counter identified by name and one tag, created on first use. */
  void count(String name, String description, String tagKey, String tagValue) {
    keyed(name, description, tagKey, tagValue).increment();
  }

  private Counter keyed(String name, String description, String tagKey, String tagValue) {
    return keyed.computeIfAbsent(name + '|' + tagKey + '|' + tagValue,
        k -> Counter.builder(name).tag(tagKey, tagValue).description(description).register(registry));
  }

  void transition(String state, String reason) {
    count("meshd.link.transitions", "Links coming up and going down", "state", state);
    if (reason != null) {
      count("meshd.link.down.reasons", "Why links went down", "reason", reason);
    }
  }

  void death(DeathReason reason) {
    count("meshd.membership.deaths", "Neighbours declared dead, by reason", "reason",
        reason.name().toLowerCase(java.util.Locale.ROOT));
  }

  void handshake(String outcome, String group) {
    count("meshd.tls.handshakes", "Mesh TLS handshakes by outcome", "outcome", outcome);
    if (group != null) {
      count("meshd.tls.key.exchange", "Completed mesh TLS handshakes by negotiated group",
          "group", group);
    }
  }

  PeerMeters registerPeer(String peer) {
    Timer rtt = Timer.builder("meshd.link.rtt").tag("peer", peer)
        .description("Heartbeat round-trip time per link")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    PeerMeters m = new PeerMeters(rtt);
    if (BoundedTagFilter.OVERFLOW_VALUE.equals(rtt.getId().getTag("peer"))) {
      // Beyond the limit the RTT histogram folds every such peer into one series; a gauge or
      // function counter bound to one of them would misreport the rest, so they get none.
      return m;
    }
    m.meters.add(Gauge.builder("meshd.link.phi", m, p -> p.state == null ? 0 : p.state.phi())
        .tag("peer", peer).description("Phi-accrual suspicion level per link").register(registry));
    m.meters.add(FunctionCounter.builder("meshd.link.heartbeats.sent", m,
            p -> p.state == null ? 0 : p.state.heartbeatsSent())
        .tag("peer", peer).description("Heartbeats sent per link").register(registry));
    m.meters.add(FunctionCounter.builder("meshd.link.heartbeats.missed", m,
            p -> p.state == null ? 0 : p.state.acksMissed())
        .tag("peer", peer).description("Heartbeats not answered in time per link").register(registry));
    m.meters.add(Gauge.builder("meshd.link.clock.offset", m, p -> p.clockOffsetSeconds)
        .tag("peer", peer).baseUnit("seconds")
        .description("Estimated wall-clock offset of the neighbour (its clock minus ours)")
        .register(registry));
    return m;
  }

  void removePeer(PeerMeters meters) {
    // The RTT histogram stays: its counts are cumulative and Prometheus expects that.
    meters.meters.forEach(registry::remove);
  }
}

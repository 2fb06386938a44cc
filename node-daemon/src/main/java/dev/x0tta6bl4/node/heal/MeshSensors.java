package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.node.membership.PeerState;
import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.routing.NeighbourAdvertStats;
import dev.x0tta6bl4.node.routing.RejectReason;
import dev.x0tta6bl4.node.transport.MeshLinks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The mesh area's sensors: per-peer link state, silence, phi, RTT, loss and clock offset from
 * {@link MeshLinks#view()}, advert rejections per neighbour and routing and delivery counters
 * from {@link MeshRouter#health()}, and the quarantines in force. Reads only published values,
 * so a tick never waits for the mesh event loop.
 *
 * <p>Readings (subject: a peer id, or {@link HealingModule#LOCAL}):
 *
 * <ul>
 *   <li>{@code link.up} (1 per established link), {@code link.status} (0 alive, 1 suspect, 2
 *       dead), {@code link.phi}, {@code link.silence_seconds} (since anything last arrived on the
 *       link), {@code link.last_heard_epoch_millis}, {@code link.rtt_seconds} (smoothed), {@code
 *       link.loss} (heartbeat replies missed over replies due within {@code lossWindow}, once
 *       {@code minLossSamples} are due), {@code link.clock_offset_seconds} (the peer's clock
 *       minus ours, NTP-style from heartbeat replies), {@code link.cost_factor} (raised costs)
 *   <li>{@code peer.signature_failures} (adverts relayed by the peer with a bad signature, a
 *       forged origin or a malformed body, since start), {@code peer.adverts_rejected} (all
 *       reasons), {@code peer.quarantined} (seconds of quarantine left), {@code
 *       peer.quarantine_reports} (distinct neighbours whose signed quarantine notice about the
 *       peer is live: evidence, see {@link QuarantineNotices}), {@code peer.malformed_strikes}
 *       (times the transport cut the peer off for undecodable or out-of-protocol frames, since
 *       start)
 *   <li>{@code mesh.links}, {@code mesh.routes}, {@code mesh.route_changes}, {@code
 *       delivery.retransmits}, {@code delivery.failures} (counters since start)
 * </ul>
 *
 * <p>Not thread-safe: the loop thread calls it (the loss windows are its state).
 */
final class MeshSensors {
  static final String LINK_UP = "link.up";
  static final String LINK_STATUS = "link.status";
  static final String LINK_PHI = "link.phi";
  static final String LINK_SILENCE = "link.silence_seconds";
  static final String LINK_LAST_HEARD = "link.last_heard_epoch_millis";
  static final String LINK_RTT = "link.rtt_seconds";
  static final String LINK_LOSS = "link.loss";
  static final String LINK_CLOCK_OFFSET = "link.clock_offset_seconds";
  static final String LINK_COST_FACTOR = "link.cost_factor";
  static final String PEER_SIGNATURE_FAILURES = "peer.signature_failures";
  static final String PEER_ADVERTS_REJECTED = "peer.adverts_rejected";
  static final String PEER_QUARANTINED = "peer.quarantined";
  static final String PEER_MALFORMED_STRIKES = "peer.malformed_strikes";
  static final String PEER_QUARANTINE_REPORTS = "peer.quarantine_reports";
  static final String MESH_LINKS = "mesh.links";
  static final String MESH_ROUTES = "mesh.routes";
  static final String MESH_ROUTE_CHANGES = "mesh.route_changes";
  static final String DELIVERY_RETRANSMITS = "delivery.retransmits";
  static final String DELIVERY_FAILURES = "delivery.failures";

  private final MeshControl mesh;
  private final MeshHealingSettings settings;
  private final Supplier<Map<String, Double>> quarantines;
  private final Supplier<Map<String, Set<String>>> reporters;
  private final java.util.function.Consumer<Set<String>> linkedPeers;
  private final Map<String, ArrayDeque<long[]>> lossWindows = new HashMap<>();

  MeshSensors(MeshControl mesh, MeshHealingSettings settings,
      Supplier<Map<String, Double>> quarantines,
      Supplier<Map<String, Set<String>>> reporters,
      java.util.function.Consumer<Set<String>> linkedPeers) {
    this.mesh = mesh;
    this.reporters = reporters;
    this.linkedPeers = linkedPeers;
    this.settings = settings;
    this.quarantines = quarantines;
  }

  List<Sensor> sensors() {
    return List.of(Sensor.of("mesh-links", this::readLinks),
        Sensor.of("mesh-routing", this::readRouting));
  }

  List<Reading> readLinks() {
    MeshLinks.LinkView view = mesh.links();
    List<Reading> out = new ArrayList<>(view.links().size() * 9 + 1);
    Set<String> seen = new HashSet<>();
    for (MeshLinks.LinkSnapshot link : view.links()) {
      String peer = link.peerId();
      seen.add(peer);
      out.add(new Reading(LINK_UP, peer, 1));
      out.add(new Reading(LINK_CLOCK_OFFSET, peer, link.clockOffsetSeconds()));
      PeerState d = link.detector();
      if (d == null) {
        continue;
      }
      long silenceNanos = Math.max(0, view.atNanos() - d.lastHeardNanos());
      out.add(new Reading(LINK_STATUS, peer, d.status().ordinal()));
      out.add(new Reading(LINK_PHI, peer, d.phi()));
      out.add(new Reading(LINK_SILENCE, peer, silenceNanos / 1e9));
      out.add(new Reading(LINK_LAST_HEARD, peer, view.atWallMillis() - silenceNanos / 1_000_000));
      if (d.smoothedRttNanos().isPresent()) {
        out.add(new Reading(LINK_RTT, peer, d.smoothedRttNanos().getAsLong() / 1e9));
      }
      double loss = loss(peer, view.atNanos(), d.acksReceived(), d.acksMissed());
      if (loss >= 0) {
        out.add(new Reading(LINK_LOSS, peer, loss));
      }
    }
    lossWindows.keySet().retainAll(seen);
    linkedPeers.accept(seen);
    out.add(new Reading(MESH_LINKS, HealingModule.LOCAL, view.links().size()));
    return out;
  }

  List<Reading> readRouting() {
    MeshRouter.HealthView health = mesh.health();
    List<Reading> out = new ArrayList<>();
    for (Map.Entry<String, NeighbourAdvertStats> e : health.adverts().entrySet()) {
      NeighbourAdvertStats s = e.getValue();
      out.add(new Reading(PEER_SIGNATURE_FAILURES, e.getKey(), signatureFailures(s)));
      out.add(new Reading(PEER_ADVERTS_REJECTED, e.getKey(), s.totalRejected()));
    }
    mesh.malformedStrikes().forEach((peer, n) ->
        out.add(new Reading(PEER_MALFORMED_STRIKES, peer, n)));
    health.costFactors().forEach((peer, f) -> out.add(new Reading(LINK_COST_FACTOR, peer, f)));
    quarantines.get().forEach((peer, left) -> out.add(new Reading(PEER_QUARANTINED, peer, left)));
    reporters.get().forEach((peer, by) ->
        out.add(new Reading(PEER_QUARANTINE_REPORTS, peer, by.size())));
    out.add(new Reading(MESH_ROUTES, HealingModule.LOCAL, health.routes()));
    out.add(new Reading(MESH_ROUTE_CHANGES, HealingModule.LOCAL, health.routeChanges()));
    out.add(new Reading(DELIVERY_RETRANSMITS, HealingModule.LOCAL, health.retransmits()));
    out.add(new Reading(DELIVERY_FAILURES, HealingModule.LOCAL, health.deliveryFailures()));
    return out;
  }

  /**
   * Adverts the neighbour relayed that only a misbehaving (or broken) relay produces: the
   * origin's signature fails, the signer is not the origin, or the body does not decode. Not
   * counted: stale copies (normal in flooding), untrusted origins (the origin's certificate, not
   * the relay, is at fault) and a full database.
   */
  static long signatureFailures(NeighbourAdvertStats s) {
    return s.rejected(RejectReason.BAD_SIGNATURE) + s.rejected(RejectReason.ORIGIN_MISMATCH)
        + s.rejected(RejectReason.MALFORMED);
  }

  /** Missed over due heartbeat replies in the window, or -1 with too few samples. */
  private double loss(String peer, long nowNanos, long received, long missed) {
    ArrayDeque<long[]> window = lossWindows.computeIfAbsent(peer, p -> new ArrayDeque<>());
    long[] newest = window.peekLast();
    if (newest != null && (received < newest[1] || missed < newest[2])) {
      window.clear(); // a new link to the same peer: its counters restarted
    }
    window.addLast(new long[] {nowNanos, received, missed});
    long horizon = nowNanos - settings.lossWindow().toNanos();
    while (window.size() > 2) {
      java.util.Iterator<long[]> oldest = window.iterator();
      oldest.next();
      long[] second = oldest.next();
      if (second[0] - horizon > 0) {
        break;
      }
      window.removeFirst(); // keep one sample at or before the horizon as the base
    }
    long[] base = window.peekFirst();
    long dueReceived = received - base[1];
    long dueMissed = missed - base[2];
    long due = dueReceived + dueMissed;
    if (due < settings.minLossSamples()) {
      return -1;
    }
    return (double) dueMissed / due;
  }
}

package dev.x0tta6bl4.node.delivery;

import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliverBroadcast;
import dev.x0tta6bl4.node.delivery.DeliveryAction.ForwardBroadcast;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Broadcast by flooding, as a sans-IO state machine. {@link #broadcast} delivers the message to
 * this node's application and sends it to every neighbour; {@link #broadcastReceived} delivers a
 * broadcast seen for the first time and relays it to every neighbour except the one it came from
 * while its TTL allows another hop.
 *
 * <p>The seen-set is a sliding window of {@code broadcast-window} sequence numbers per origin boot
 * (a newer boot of an origin resets it, an older one is dropped), kept for {@code seen-hold} after
 * the origin's last broadcast, for at most {@code max-origins} origins. So every node delivers
 * each broadcast at most once, however many paths and copies reach it; a copy more than {@code
 * broadcast-window} broadcasts behind the newest of its origin is dropped as stale. Flooding has
 * no retransmission: with loss on every path a node may miss a broadcast.
 *
 * <p>Not thread-safe: one thread (the node's delivery event loop) makes every call. Holds no
 * resources.
 */
public final class BroadcastDelivery {
  private final String localNode;
  private final long bootId;
  private final NextHops routes;
  private final DeliverySettings settings;
  private final Consumer<? super DeliveryAction> out;
  private final WindowTable<SequenceWindow> seen;
  private long nextSeq = 1;

  private long originated;
  private final Counters<Rejection> rejected = new Counters<>(Rejection.class);
  private long delivered;
  private long duplicatesSuppressed;
  private long forwarded;
  private final Counters<DropReason> dropped = new Counters<>(DropReason.class);
  private long notRelayed;

  /**
   * A core for node {@code localNode} in its boot {@code bootId} (positive, greater than any
   * earlier boot id of this node).
   *
   * @param routes whose {@link NextHops#neighbours()} are flooded to
   * @param out receives every action, on the calling thread
   */
  public BroadcastDelivery(String localNode, long bootId, NextHops routes,
      DeliverySettings settings, Consumer<? super DeliveryAction> out) {
    this.localNode = Fields.nodeId("localNode", localNode);
    this.bootId = Fields.positive("bootId", bootId);
    this.routes = Objects.requireNonNull(routes, "routes");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.out = Objects.requireNonNull(out, "out");
    int window = settings.broadcastWindow();
    this.seen = new WindowTable<>(settings.maxOrigins(), settings.seenHold().toNanos(),
        origin -> new SequenceWindow(window));
  }

  /**
   * Broadcasts {@code payload} to every node: emits a {@link DeliverBroadcast} here and a {@link
   * ForwardBroadcast} per neighbour.
   *
   * @param traceparent W3C trace context, or {@code null} / "" for none
   * @param payload handed over, not copied: do not change it afterwards
   */
  public SendResult<BroadcastId> broadcast(String topic, byte[] payload, String traceparent,
      long nowNanos) {
    try {
      Fields.topic(topic);
      Fields.traceparent(traceparent);
      Fields.payload(payload);
    } catch (DeliveryException e) {
      return reject(Rejection.INVALID_ARGUMENT, e.getMessage());
    }
    if (payload.length > settings.maxPayloadBytes()) {
      return reject(Rejection.PAYLOAD_TOO_LARGE, "payload of " + payload.length
          + " bytes is too large; allowed: 0.." + settings.maxPayloadBytes());
    }
    BroadcastMessage m = new BroadcastMessage(new BroadcastId(localNode, bootId, nextSeq++),
        settings.defaultTtl(), topic, traceparent, payload);
    originated++;
    delivered++;
    out.accept(new DeliverBroadcast(m));
    for (String neighbour : routes.neighbours()) {
      forwarded++;
      out.accept(new ForwardBroadcast(neighbour, m));
    }
    return new SendResult.Accepted<>(m.id());
  }

  /** A broadcast arrived from the neighbour {@code fromNeighbour}. */
  public void broadcastReceived(String fromNeighbour, BroadcastMessage message, long nowNanos) {
    if (message.origin().equals(localNode)) {
      if (message.id().boot() == bootId) {
        duplicatesSuppressed++;
      } else {
        dropped.increment(DropReason.STALE_BOOT);
      }
      return;
    }
    int found = seen.lookup(message.origin(), message.id().boot(), nowNanos);
    if (found != WindowTable.OK) {
      dropped.increment(found == WindowTable.STALE_BOOT ? DropReason.STALE_BOOT
          : DropReason.TABLE_FULL);
      return;
    }
    int verdict = seen.found().accept(message.sequence());
    if (verdict == SequenceWindow.DUPLICATE) {
      duplicatesSuppressed++;
      return;
    }
    if (verdict == SequenceWindow.TOO_OLD) {
      dropped.increment(DropReason.STALE);
      return;
    }
    delivered++;
    out.accept(new DeliverBroadcast(message));
    if (message.ttl() <= 1) {
      notRelayed++;
      return;
    }
    BroadcastMessage relayed = message.withTtl(message.ttl() - 1);
    for (String neighbour : routes.neighbours()) {
      if (!neighbour.equals(fromNeighbour)) {
        forwarded++;
        out.accept(new ForwardBroadcast(neighbour, relayed));
      }
    }
  }

  /** Forgets origins idle for longer than {@code seen-hold}. Call now and then (e.g. every s). */
  public void tick(long nowNanos) {
    seen.expire(nowNanos);
  }

  /** Origins with a seen-set window (at most {@code max-origins}). */
  public int trackedOrigins() {
    return seen.size();
  }

  /** Counters since construction. */
  public BroadcastStats stats() {
    return new BroadcastStats(originated, rejected.snapshot(), delivered, duplicatesSuppressed,
        forwarded, dropped.snapshot(), notRelayed, seen.size());
  }

  private SendResult<BroadcastId> reject(Rejection reason, String detail) {
    rejected.increment(reason);
    return new SendResult.Rejected<>(reason, 0, detail);
  }
}

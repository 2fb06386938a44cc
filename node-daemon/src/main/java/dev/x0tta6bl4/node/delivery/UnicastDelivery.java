package dev.x0tta6bl4.node.delivery;

import dev.x0tta6bl4.node.delivery.DeliveryAction.Deliver;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Delivered;
import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliveryFailed;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Forward;
import dev.x0tta6bl4.node.delivery.DeliveryAction.SendAck;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * End-to-end acknowledged unicast as a sans-IO state machine: the source, relay and destination
 * roles of one node. Events come in as method calls carrying {@code nowNanos} (a monotonic clock
 * reading, e.g. {@code System.nanoTime()} or virtual time); actions go out, synchronously and in
 * order, to the {@link DeliveryAction} consumer.
 *
 * <ul>
 *   <li><b>Source</b>: {@link #send} gives the message the next sequence number of its stream to
 *       the destination and emits {@link Forward} to the current next hop. Unacknowledged copies
 *       are retransmitted by {@link #tick} over the <i>current</i> next hop after an adaptive
 *       timeout (RFC 6298 SRTT/RTTVAR per destination, Karn's rule, bounds {@code min-rto} and
 *       {@code max-rto}, exponential backoff per message, up to 1/16 random extra from the
 *       injected generator so bursts do not retransmit in step). After {@code max-attempts} copies
 *       or {@code max-delivery-time} the message ends with {@link DeliveryFailed}; on an ack with
 *       {@link Delivered}. Exactly one of the two follows every accepted send. When the link to a
 *       neighbour dies, {@link #neighbourDown} resends at once what went to it, over the
 *       repaired route, without charging those lost copies to the attempt budget.
 *   <li><b>Admission</b>: at most {@code max-in-flight} messages per node, at most {@code
 *       max-destinations} streams, and no message more than {@link
 *       DeliverySettings#RECEIVE_WINDOW} sequence numbers behind the newest of its stream; beyond
 *       that {@link Rejection#QUEUE_FULL} with a retry-after estimate.
 *   <li><b>Relay</b>: {@link #dataReceived} for another node forwards with {@code ttl - 1}, or
 *       drops and counts (TTL exhausted, no route). Acks are relayed the same way. No notice goes
 *       back to the source: the source must cope with silence anyway (a notice can be lost), a
 *       relay could forge notices to make sources give up, and the source's retransmission over
 *       its own current route already covers the transient cases; the failure reason tells
 *       NO_ROUTE (the source itself had no route) from TIMEOUT.
 *   <li><b>Destination</b>: each message is delivered once ({@link Deliver}), deduplicated by a
 *       per-source replay window of {@link DeliverySettings#RECEIVE_WINDOW} sequence numbers kept
 *       for {@code dedup-hold} after the source's last message, at most {@code max-sources}
 *       sources. Every copy, new or duplicate, is acknowledged; acknowledgements to one source are
 *       coalesced into ranges and sent by {@link #flushAcks} (also run by {@link #tick}) as one
 *       {@link SendAck}, or at once when {@code max-ack-ranges} ranges are pending.
 * </ul>
 *
 * <p>Not thread-safe: one thread (the node's delivery event loop) owns an instance and makes
 * every call. Holds no resources; {@link #close} only fails what is still in flight.
 */
public final class UnicastDelivery implements AutoCloseable {
  private static final int WHEEL_BUCKETS = 1024;

  private final String localNode;
  private final long bootId;
  private final NextHops routes;
  private final DeliverySettings settings;
  private final RandomGenerator random;
  private final Consumer<? super DeliveryAction> out;

  private final long initialRto;
  private final long minRto;
  private final long maxRto;
  private final long maxDeliveryTime;
  private final long tick;

  private final InFlightTable flights;
  private final TimerWheel timers;
  private final int[] expired;
  private final LinkedHashMap<String, OutboundStream> streams;
  private final WindowTable<InboundStream> inbound;
  private final List<InboundStream> dirty = new ArrayList<>();
  private long highestAssigned;
  private boolean closed;

  private long accepted;
  private final Counters<Rejection> rejected = new Counters<>(Rejection.class);
  private long delivered;
  private long retransmits;
  private final Counters<FailureReason> failed = new Counters<>(FailureReason.class);
  private long deliveredToApp;
  private long duplicatesSuppressed;
  private long forwarded;
  private final Counters<DropReason> dropped = new Counters<>(DropReason.class);
  private long acksSent;
  private long acksForwarded;
  private long acksReceived;
  private final Counters<DropReason> acksDropped = new Counters<>(DropReason.class);

  /**
   * A core for node {@code localNode} in its boot {@code bootId} (positive, greater than any
   * earlier boot id of this node).
   *
   * @param routes next hops, asked on every send, forward and retransmission
   * @param random source of timer jitter (seeded in tests)
   * @param out receives every action, on the calling thread
   */
  public UnicastDelivery(String localNode, long bootId, NextHops routes,
      DeliverySettings settings, RandomGenerator random, Consumer<? super DeliveryAction> out) {
    this.localNode = Fields.nodeId("localNode", localNode);
    this.bootId = Fields.positive("bootId", bootId);
    this.routes = Objects.requireNonNull(routes, "routes");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
    this.out = Objects.requireNonNull(out, "out");
    this.initialRto = settings.initialRto().toNanos();
    this.minRto = settings.minRto().toNanos();
    this.maxRto = settings.maxRto().toNanos();
    this.maxDeliveryTime = settings.maxDeliveryTime().toNanos();
    this.tick = settings.timerTick().toNanos();
    this.flights = new InFlightTable(settings.maxInFlight());
    this.timers = new TimerWheel(settings.maxInFlight(), tick, WHEEL_BUCKETS);
    this.expired = new int[settings.maxInFlight()];
    this.streams = new LinkedHashMap<>(64, 0.75f, true);
    int maxRanges = settings.maxAckRanges();
    this.inbound = new WindowTable<>(settings.maxSources(), settings.dedupHold().toNanos(),
        source -> new InboundStream(source, maxRanges));
  }

  /** This node's id. */
  public String localNode() {
    return localNode;
  }

  /**
   * Sends {@code payload} to {@code destination}. Accepted: a {@link Forward} was emitted and
   * exactly one {@link Delivered} or {@link DeliveryFailed} will follow. To this node itself: a
   * {@link Deliver} and a {@link Delivered} at once.
   *
   * @param traceparent W3C trace context, or {@code null} / "" for none
   * @param payload handed over, not copied: do not change it afterwards
   */
  public SendResult<MessageId> send(String destination, String topic, byte[] payload,
      String traceparent, long nowNanos) {
    if (closed) {
      return reject(Rejection.CLOSED, 0, "delivery core of " + localNode + " is closed");
    }
    try {
      Fields.nodeId("destination", destination);
      Fields.topic(topic);
      Fields.traceparent(traceparent);
      Fields.payload(payload);
    } catch (DeliveryException e) {
      return reject(Rejection.INVALID_ARGUMENT, 0, e.getMessage());
    }
    if (payload.length > settings.maxPayloadBytes()) {
      return reject(Rejection.PAYLOAD_TOO_LARGE, 0, "payload of " + payload.length
          + " bytes is too large; allowed: 0.." + settings.maxPayloadBytes());
    }
    Optional<String> hop = Optional.empty();
    if (!destination.equals(localNode)) {
      hop = routes.nextHop(destination);
      if (hop.isEmpty()) {
        return reject(Rejection.NO_ROUTE, 0, "no route to " + destination);
      }
    }
    OutboundStream s = stream(destination, nowNanos);
    if (s == null) {
      return reject(Rejection.QUEUE_FULL, rtoFor(null), "send state for "
          + settings.maxDestinations() + " destinations is full");
    }
    if (s.nextSeq - flights.lowestUnresolved(s) >= DeliverySettings.RECEIVE_WINDOW) {
      long retry = Math.max(tick, timers.deadline(s.head) - nowNanos);
      return reject(Rejection.QUEUE_FULL, retry, "window of " + DeliverySettings.RECEIVE_WINDOW
          + " sequence numbers to " + destination + " is full");
    }
    if (hop.isPresent() && flights.isFull()) {
      return reject(Rejection.QUEUE_FULL, Math.max(tick, s.hasSample() ? s.srtt() : initialRto),
          settings.maxInFlight() + " messages are in flight");
    }
    long seq = s.nextSeq++;
    highestAssigned = Math.max(highestAssigned, seq);
    DataMessage m = new DataMessage(new MessageId(localNode, destination, bootId, seq),
        settings.defaultTtl(), topic, traceparent, payload);
    accepted++;
    if (hop.isEmpty()) {
      deliveredToApp++;
      delivered++;
      out.accept(new Deliver(m));
      out.accept(new Delivered(m.id(), 0, 1));
      return new SendResult.Accepted<>(m.id());
    }
    int slot = flights.add(s, m, nowNanos);
    transmit(slot, hop.get(), nowNanos);
    return new SendResult.Accepted<>(m.id());
  }

  /** A data message arrived from the neighbour {@code fromNeighbour}. */
  public void dataReceived(String fromNeighbour, DataMessage message, long nowNanos) {
    if (closed) {
      dropped.increment(DropReason.CLOSED);
      return;
    }
    if (!message.destination().equals(localNode)) {
      relay(message);
      return;
    }
    int found = inbound.lookup(message.source(), message.id().boot(), nowNanos);
    if (found != WindowTable.OK) {
      dropped.increment(found == WindowTable.STALE_BOOT ? DropReason.STALE_BOOT
          : DropReason.TABLE_FULL);
      return;
    }
    InboundStream in = inbound.found();
    long seq = message.id().sequence();
    int verdict = in.accept(seq);
    if (verdict == SequenceWindow.TOO_OLD) {
      dropped.increment(DropReason.STALE);
      return;
    }
    if (verdict == SequenceWindow.NEW) {
      deliveredToApp++;
      out.accept(new Deliver(message));
    } else {
      duplicatesSuppressed++;
    }
    if (!in.dirty) {
      in.dirty = true;
      dirty.add(in);
    }
    if (in.addAck(seq)) {
      sendAck(in);
    }
  }

  /** An ack arrived from the neighbour {@code fromNeighbour}. */
  public void ackReceived(String fromNeighbour, DataAck ack, long nowNanos) {
    if (closed) {
      acksDropped.increment(DropReason.CLOSED);
      return;
    }
    if (!ack.target().equals(localNode)) {
      relay(ack);
      return;
    }
    acksReceived++;
    OutboundStream s = ack.boot() == bootId ? streams.get(ack.acker()) : null;
    if (s == null) {
      acksDropped.increment(ack.boot() == bootId ? DropReason.UNKNOWN : DropReason.STALE_BOOT);
      return;
    }
    long low = flights.lowestUnresolved(s);
    long high = s.nextSeq - 1;
    // Honest ranges are disjoint inside [low, high], which spans less than RECEIVE_WINDOW
    // numbers: more work than that means overlapping ranges, so stop there.
    long budget = DeliverySettings.RECEIVE_WINDOW;
    for (int r = 0; r < ack.rangeCount(); r++) {
      long first = Math.max(low, ack.rangeFirst(r));
      long last = Math.min(high, ack.rangeLast(r));
      if (last >= first) {
        budget -= last - first + 1;
        if (budget < 0) {
          acksDropped.increment(DropReason.MALFORMED);
          return;
        }
      }
      for (long q = first; q <= last; q++) {
        int slot = flights.find(s, q);
        if (slot != InFlightTable.NONE) {
          acknowledged(slot, nowNanos);
        }
      }
    }
  }

  /** Fires due retransmissions and failures, then sends pending acks. Call about every tick. */
  public void tick(long nowNanos) {
    if (closed) {
      return;
    }
    int n = timers.expire(nowNanos, expired);
    for (int i = 0; i < n; i++) {
      timedOut(expired[i], nowNanos);
    }
    flushAcks(nowNanos);
    inbound.expire(nowNanos);
  }

  /** Sends the acks pending for every source (call after a batch of received frames). */
  public void flushAcks(long nowNanos) {
    for (int i = 0; i < dirty.size(); i++) {
      InboundStream in = dirty.get(i);
      in.dirty = false;
      if (in.hasPendingAck()) {
        sendAck(in);
      }
    }
    dirty.clear();
  }

  /** Messages sent and not yet acknowledged or failed. */
  public int inFlight() {
    return flights.size();
  }

  /** The smoothed RTT toward {@code destination}, once measured. */
  public OptionalLong srttNanos(String destination) {
    OutboundStream s = streams.get(destination);
    return s != null && s.hasSample() ? OptionalLong.of(s.srtt()) : OptionalLong.empty();
  }

  /** The retransmission timeout a new message to {@code destination} would get now. */
  public long rtoNanos(String destination) {
    return rtoFor(streams.get(destination));
  }

  /** Sources with a dedup window (at most {@code max-sources}). */
  public int trackedSources() {
    return inbound.size();
  }

  /** Destinations with send state (at most {@code max-destinations}). */
  public int destinations() {
    return streams.size();
  }

  /** Counters since construction. */
  public UnicastStats stats() {
    return new UnicastStats(flights.size(), accepted, rejected.snapshot(), delivered, retransmits,
        failed.snapshot(), deliveredToApp, duplicatesSuppressed, forwarded, dropped.snapshot(),
        acksSent, acksForwarded, acksReceived, acksDropped.snapshot(), inbound.size(),
        streams.size());
  }

  /**
   * Ends every in-flight message with {@link DeliveryFailed} ({@link FailureReason#CLOSED}) and
   * refuses further work. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (OutboundStream s : streams.values()) {
      while (s.head != InFlightTable.NONE) {
        fail(s.head, FailureReason.CLOSED);
      }
    }
    dirty.clear();
  }

  // ---- source side

  private OutboundStream stream(String destination, long now) {
    OutboundStream s = streams.get(destination);
    if (s != null) {
      return s;
    }
    if (streams.size() >= settings.maxDestinations()) {
      Iterator<OutboundStream> it = streams.values().iterator();
      boolean evicted = false;
      while (it.hasNext() && !evicted) {
        if (it.next().inFlight == 0) {
          it.remove();
          evicted = true;
        }
      }
      if (!evicted) {
        return null;
      }
    }
    // Start above every number used so far: a receiver that still has a window for an evicted
    // stream to the same destination sees the new numbers as newer, never as duplicates.
    s = new OutboundStream(destination, highestAssigned + 1);
    streams.put(destination, s);
    return s;
  }

  private void transmit(int slot, String hop, long now) {
    DataMessage m = flights.message[slot];
    int attempt = ++flights.attempts[slot];
    flights.lastNoRoute[slot] = false;
    flights.lastHop[slot] = hop;
    long timeout = backoff(rtoFor(flights.stream[slot]), attempt);
    schedule(slot, now + timeout + jitter(timeout), now);
    out.accept(new Forward(hop, m));
  }

  private void timedOut(int slot, long now) {
    int attempts = flights.attempts[slot];
    if (attempts >= settings.maxAttempts() || now - flights.firstSent[slot] >= maxDeliveryTime) {
      fail(slot, flights.lastNoRoute[slot] ? FailureReason.NO_ROUTE : FailureReason.TIMEOUT);
      return;
    }
    OutboundStream s = flights.stream[slot];
    Optional<String> hop = routes.nextHop(s.destination);
    if (hop.isPresent()) {
      retransmits++;
      transmit(slot, hop.get(), now);
    } else {
      waitForRoute(slot, s, now);
    }
  }

  /** Without a route the attempt is not spent: check again after one RTO, bounded by the total
   * delivery time. */
  private void waitForRoute(int slot, OutboundStream s, long now) {
    flights.lastNoRoute[slot] = true;
    flights.lastHop[slot] = null;
    schedule(slot, now + rtoFor(s), now);
  }

  /**
   * The link to {@code neighbour} is gone. Every message whose latest copy went to it is known
   * lost, so it goes again at once over the current route (or waits for one, as after a timeout
   * without route), with its attempt count and backoff started afresh: copies swallowed by a
   * link that was still believed up while the failure detector made up its mind must not use up
   * the message's {@code max-attempts}. {@code max-delivery-time} still bounds every message.
   * Call after the routes have been repaired, so the copies take the new path.
   */
  public void neighbourDown(String neighbour, long nowNanos) {
    if (closed) {
      return;
    }
    for (OutboundStream s : streams.values()) {
      for (int slot = s.head; slot != InFlightTable.NONE; slot = flights.after(slot)) {
        if (!neighbour.equals(flights.lastHop[slot])) {
          continue;
        }
        flights.attempts[slot] = 0;
        Optional<String> hop = routes.nextHop(s.destination);
        if (hop.isPresent()) {
          retransmits++;
          transmit(slot, hop.get(), nowNanos);
        } else {
          waitForRoute(slot, s, nowNanos);
        }
      }
    }
  }

  private void schedule(int slot, long when, long now) {
    long giveUp = flights.firstSent[slot] + maxDeliveryTime;
    timers.schedule(slot, Math.min(when, giveUp), now);
  }

  private void acknowledged(int slot, long now) {
    int attempts = flights.attempts[slot];
    long rtt = now - flights.firstSent[slot];
    if (attempts == 1) {
      flights.stream[slot].sample(rtt);
    }
    MessageId id = flights.message[slot].id();
    timers.cancel(slot);
    flights.remove(slot);
    delivered++;
    out.accept(new Delivered(id, rtt, attempts));
  }

  private void fail(int slot, FailureReason reason) {
    int attempts = flights.attempts[slot];
    MessageId id = flights.message[slot].id();
    timers.cancel(slot);
    flights.remove(slot);
    failed.increment(reason);
    out.accept(new DeliveryFailed(id, reason, attempts));
  }

  private long rtoFor(OutboundStream s) {
    return s == null ? initialRto : s.rto(initialRto, minRto, maxRto, tick);
  }

  private long backoff(long rto, int attempt) {
    int shift = Math.min(attempt - 1, 20);
    return Math.min(maxRto, rto << shift);
  }

  private long jitter(long timeout) {
    return random.nextLong((timeout >> 4) + 1);
  }

  private SendResult<MessageId> reject(Rejection reason, long retryAfter, String detail) {
    rejected.increment(reason);
    return new SendResult.Rejected<>(reason, retryAfter, detail);
  }

  // ---- relay and destination side

  private void relay(DataMessage m) {
    if (m.ttl() <= 1) {
      dropped.increment(DropReason.TTL_EXPIRED);
      return;
    }
    Optional<String> hop = routes.nextHop(m.destination());
    if (hop.isEmpty()) {
      dropped.increment(DropReason.NO_ROUTE);
      return;
    }
    forwarded++;
    out.accept(new Forward(hop.get(), m.withTtl(m.ttl() - 1)));
  }

  private void relay(DataAck a) {
    if (a.ttl() <= 1) {
      acksDropped.increment(DropReason.TTL_EXPIRED);
      return;
    }
    Optional<String> hop = routes.nextHop(a.target());
    if (hop.isEmpty()) {
      acksDropped.increment(DropReason.NO_ROUTE);
      return;
    }
    acksForwarded++;
    out.accept(new SendAck(hop.get(), a.withTtl(a.ttl() - 1)));
  }

  private void sendAck(InboundStream in) {
    long[] ranges = in.takeRanges();
    Optional<String> hop = routes.nextHop(in.source);
    if (hop.isEmpty()) {
      acksDropped.increment(DropReason.NO_ROUTE);
      return;
    }
    acksSent++;
    out.accept(new SendAck(hop.get(),
        new DataAck(localNode, in.source, in.boot, settings.defaultTtl(), ranges)));
  }
}

package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.routing.RoutingAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic mesh simulator: {@link SimNode}s (the real failure-detection, routing and
 * delivery cores) over an in-memory network in virtual time. One event queue ordered by time
 * and insertion order; one {@link SplittableRandom} from one seed feeds every random choice
 * (topology, delays, loss, tick phases, the cores' own generators), so a seed replays exactly,
 * and {@link #traceHash()} fingerprints the run.
 *
 * <p>Network model, per undirected link of the {@link Topology}, with TCP's guarantees:
 *
 * <ul>
 *   <li>each direction delivers in order after the link's delay plus uniform jitter; a lost
 *       segment ({@link #setLoss}) arrives a retransmission timeout late and holds up the frames
 *       behind it; a data, ack or broadcast frame may instead be dropped, as {@code MeshRouter}
 *       drops a frame its link refuses under backpressure;
 *   <li>{@link #cut} takes the link down: frames on it or sent over it wait, and are resent
 *       after a {@link #repair} (the receiver drops those of connections closed meanwhile).
 *       {@link CutKind#SILENT} says nothing to the ends (a pulled cable, a black-holing router:
 *       the failure detectors must notice); {@link CutKind#RESET} also reports the connection
 *       closed at both ends after one delay (the kernel's reset);
 *   <li>connections: the dialling end of a link (the lower node id, whose connection the
 *       duplicate rule of {@code MeshLinks} keeps) dials with a HELLO exchange, gives up after
 *       the connect timeout and retries with jittered exponential backoff; a closed connection
 *       is redialled; a new connection replaces an older one to the same peer;
 *   <li>{@link #crash} stops a node silently: its state is gone, frames to it are lost, its
 *       peers are not told. {@link #restart} starts it again with a new boot id (the virtual
 *       wall clock in milliseconds) and empty state.
 * </ul>
 *
 * <p>Single-threaded; not for concurrent use. Everything is in memory; nothing to close.
 */
final class MeshSimulator {
  static final long MS = 1_000_000L;
  /** Virtual wall clock at time 0, for boot ids and advert sequence numbers. */
  static final long EPOCH_MILLIS = 1_800_000_000_000L;

  static final int FRAME = 0;
  static final int DETECTOR_TICK = 1;
  static final int ROUTER_TICK = 2;
  static final int DELIVERY_TICK = 3;
  static final int HOUSEKEEPING = 4;
  static final int DIAL = 5;
  static final int DIAL_TIMEOUT = 6;
  static final int RESET = 7;
  static final int TASK = 8;

  enum CutKind {
    SILENT,
    RESET
  }

  private static final class Event implements Comparable<Event> {
    final long at;
    final long order;
    final int type;
    final int node;
    final int incarnation;
    final int peer;
    final long arg;
    final Object payload;

    Event(long at, long order, int type, int node, int incarnation, int peer, long arg, Object payload) {
      this.at = at;
      this.order = order;
      this.type = type;
      this.node = node;
      this.incarnation = incarnation;
      this.peer = peer;
      this.arg = arg;
      this.payload = payload;
    }

    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  /** Mutable state of one physical link. */
  static final class Link {
    final Topology.Edge edge;
    boolean up = true;
    long lastArrivalAb;
    long lastArrivalBa;
    long downSince;
    /** Frames sent while the link was down, in send order (TCP keeps retransmitting them). */
    final java.util.ArrayDeque<Event> held = new java.util.ArrayDeque<>();

    Link(Topology.Edge edge) {
      this.edge = edge;
    }

    int other(int node) {
      return node == edge.a() ? edge.b() : edge.a();
    }
  }

  private final long seed;
  private final SimConfig config;
  private final SplittableRandom random;
  private final Topology topology;
  private final SimNode[] nodes;
  private final int[] incarnations;
  private final Link[] links;
  private final Map<Long, Link> linkByPair = new HashMap<>();
  private final List<List<Link>> linksOf;
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final SimLedger ledger = new SimLedger();
  private final TreeMap<String, Long> rejections = new TreeMap<>();
  private long now;
  private long order;
  private long nextConnection = 1;
  private long trace = 0xCBF29CE484222325L;
  private long eventsRun;
  private long framesSent;
  private long framesLost;
  private long sendsRefused;
  private long routeComputationsOfCrashed;
  private long lastRoutesChangedAt;
  private double segmentLoss;
  private double dataDrop;

  MeshSimulator(long seed, Topology topology, SimConfig config) {
    this.seed = seed;
    this.config = config;
    this.random = new SplittableRandom(seed);
    this.topology = topology;
    this.segmentLoss = config.segmentLoss();
    this.dataDrop = config.dataDrop();
    int n = topology.size();
    this.nodes = new SimNode[n];
    this.incarnations = new int[n];
    this.links = new Link[topology.edges().size()];
    this.linksOf = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      linksOf.add(new ArrayList<>());
      indexOf.put(Topology.nodeId(i), i);
    }
    for (int i = 0; i < links.length; i++) {
      Topology.Edge e = topology.edges().get(i);
      links[i] = new Link(e);
      linkByPair.put(pair(e.a(), e.b()), links[i]);
      linksOf.get(e.a()).add(links[i]);
      linksOf.get(e.b()).add(links[i]);
    }
    for (int i = 0; i < n; i++) {
      boot(i);
    }
  }

  // ---- the event loop

  /** Runs every event up to and including {@code until}, then sets the clock to it. */
  void runUntil(long until) {
    while (!queue.isEmpty() && queue.peek().at <= until) {
      Event e = queue.poll();
      now = e.at;
      ledger.now(now);
      eventsRun++;
      trace = mix(mix(mix(trace, e.at), e.type * 131L + e.node), e.peer * 31L + e.arg);
      dispatch(e);
    }
    now = Math.max(now, until);
  }

  void runFor(long nanos) {
    runUntil(now + nanos);
  }

  /** Runs until {@code done} holds (checked every 10 ms of virtual time) or {@code maxNanos}. */
  boolean runUntil(java.util.function.BooleanSupplier done, long maxNanos) {
    long end = now + maxNanos;
    while (now < end) {
      if (done.getAsBoolean()) {
        return true;
      }
      runUntil(Math.min(end, now + 10 * MS));
    }
    return done.getAsBoolean();
  }

  /** Runs {@code task} at virtual time {@code at} (a scenario's fault or message). */
  void at(long at, Runnable task) {
    push(Math.max(at, now), TASK, -1, 0, -1, 0, task);
  }

  private void dispatch(Event e) {
    if (e.type == TASK) {
      ((Runnable) e.payload).run();
      return;
    }
    SimNode node = nodes[e.node];
    if (node == null || incarnations[e.node] != e.incarnation) {
      if (e.type == FRAME) {
        framesLost++;
      }
      return; // for a crashed node or a previous life
    }
    switch (e.type) {
      case FRAME -> {
        Transit t = (Transit) e.payload;
        if (!t.link.up) {
          t.link.held.add(e); // cut while on the wire: TCP resends it after the repair
          return;
        }
        node.frameReceived(Topology.nodeId(e.peer), e.arg, t.frame, now);
      }
      case DIAL -> node.dial(Topology.nodeId(e.peer), now);
      case DIAL_TIMEOUT -> node.dialTimedOut(Topology.nodeId(e.peer), e.arg, now);
      case RESET -> node.connectionReset(Topology.nodeId(e.peer), e.arg, now);
      default -> node.timer(e.type, e.at, now);
    }
  }

  private record Transit(Link link, SimFrame frame) {}

  // ---- services for SimNode

  long newConnectionId() {
    return nextConnection++;
  }

  /**
   * Puts a frame on the link to {@code toId}, with TCP's guarantees: in order per direction,
   * never lost while the connection lives. A lost segment ({@link SimConfig#segmentLoss()})
   * costs a retransmission timeout, and everything behind it waits (head-of-line blocking); a
   * frame sent while the link is down is held and resent after the repair. A data, ack or
   * broadcast frame may instead be dropped with {@link SimConfig#dataDrop()}, as {@code
   * MeshRouter} drops a frame whose link refuses it under backpressure.
   */
  void transmit(SimNode from, String toId, long connection, SimFrame frame) {
    int to = indexOf.get(toId);
    Link link = linkByPair.get(pair(from.index, to));
    framesSent++;
    if (link == null) {
      framesLost++;
      return;
    }
    if (dataDrop > 0 && frame instanceof SimFrame.Opaque o
        && o.kind() != SimFrame.Kind.LINK_STATE_ADVERT && random.nextDouble() < dataDrop) {
      framesLost++;
      return;
    }
    Event e = frameEvent(link, from.index, to, incarnations[to], connection, frame, now);
    if (link.up) {
      queue.add(e);
    } else {
      link.held.add(e);
    }
  }

  private Event frameEvent(Link link, int from, int to, int incarnation, long connection,
      SimFrame frame, long sentAt) {
    Topology.Edge edge = link.edge;
    long at = sentAt + edge.delayNanos() + random.nextLong(edge.jitterNanos() + 1);
    if (segmentLoss > 0 && random.nextDouble() < segmentLoss) {
      at += config.retransmitTimeoutNanos();
    }
    if (from == edge.a()) {
      at = Math.max(at, link.lastArrivalAb);
      link.lastArrivalAb = at;
    } else {
      at = Math.max(at, link.lastArrivalBa);
      link.lastArrivalBa = at;
    }
    return new Event(at, order++, FRAME, to, incarnation, from, connection, new Transit(link, frame));
  }

  void scheduleTimer(SimNode node, int kind, long at) {
    push(at, kind, node.index, node.incarnation, -1, 0, null);
  }

  void scheduleDial(SimNode node, String peer, long at) {
    push(at, DIAL, node.index, node.incarnation, indexOf.get(peer), 0, null);
  }

  void scheduleDialTimeout(SimNode node, String peer, long connection, long at) {
    push(at, DIAL_TIMEOUT, node.index, node.incarnation, indexOf.get(peer), connection, null);
  }

  /** A node's connection closed: the dialling end of a topology link dials again. */
  void connectionClosed(SimNode node, String peer, long now) {
    int other = indexOf.get(peer);
    if (node.index < other && linkByPair.containsKey(pair(node.index, other))) {
      scheduleDial(node, peer, now + jitteredMin());
    }
  }

  private long jitteredMin() {
    long min = config.reconnectMinNanos();
    return min / 2 + (long) (random.nextDouble() * (min / 2.0));
  }

  void recordLink(SimNode node, String peer, boolean up) {
    trace = mix(trace, (up ? 1L : 2L) * 1_000_003L + node.index * 7919L + indexOf.get(peer));
  }

  void routesChanged() {
    lastRoutesChangedAt = now;
  }

  /** When any node's route table last changed (costs included). */
  long lastRoutesChangedAt() {
    return lastRoutesChangedAt;
  }

  /**
   * Sets the loss from now on (initially {@link SimConfig#segmentLoss()} and {@link
   * SimConfig#dataDrop()}): a scenario applies loss as a fault, during fault windows only.
   */
  void setLoss(double segments, double data) {
    segmentLoss = segments;
    dataDrop = data;
  }

  void advertRejected(SimNode node, RoutingAction.AdvertRejected rejected) {
    rejections.merge(rejected.reason().name(), 1L, Long::sum);
  }

  void sendRefused() {
    sendsRefused++;
  }

  SimLedger ledger() {
    return ledger;
  }

  // ---- faults

  /** Takes the link between {@code a} and {@code b} down. */
  void cut(Link link, CutKind kind) {
    if (!link.up) {
      return;
    }
    link.up = false;
    link.downSince = now;
    trace = mix(trace, 0xC0DEL + link.edge.a() * 65_537L + link.edge.b());
    if (kind == CutKind.RESET) {
      for (int end : new int[] {link.edge.a(), link.edge.b()}) {
        SimNode node = nodes[end];
        int other = link.other(end);
        Long connection = node == null ? null : node.connections().get(Topology.nodeId(other));
        if (connection != null) {
          push(now + link.edge.delayNanos(), RESET, end, incarnations[end], other, connection, null);
        }
      }
    }
  }

  /** Brings the link back; the dialling end reconnects on its next attempt. */
  void repair(Link link) {
    if (link.up) {
      return;
    }
    link.up = true;
    trace = mix(trace, 0xFEEDL + link.edge.a() * 65_537L + link.edge.b());
    // TCP resends what it could not deliver once its backed-off timer fires after the repair;
    // frames of connections closed meanwhile are dropped by the receiver as stale.
    long resendAt = now + Math.min(now - link.downSince, config.retransmitTimeoutNanos() * 8);
    link.lastArrivalAb = 0;
    link.lastArrivalBa = 0;
    while (!link.held.isEmpty()) {
      Event e = link.held.poll();
      Transit t = (Transit) e.payload;
      queue.add(frameEvent(link, e.peer, e.node, e.incarnation, e.arg, t.frame, resendAt));
    }
  }

  /** Stops node {@code index} silently; everything it held is lost. */
  void crash(int index) {
    if (nodes[index] == null) {
      return;
    }
    routeComputationsOfCrashed += nodes[index].router().routeComputations();
    nodes[index] = null;
    incarnations[index]++;
    trace = mix(trace, 0xDEADL + index);
  }

  /** Starts a crashed node again: new boot id, empty state. */
  void restart(int index) {
    if (nodes[index] != null) {
      throw new IllegalStateException(Topology.nodeId(index) + " is running");
    }
    boot(index);
  }

  private void boot(int index) {
    incarnations[index]++;
    long bootMillis = EPOCH_MILLIS + now / MS + incarnations[index]; // distinct even at time 0
    SimNode node = new SimNode(this, index, incarnations[index], bootMillis, config, random.split());
    nodes[index] = node;
    node.start(now);
    for (Link link : linksOf.get(index)) {
      int other = link.other(index);
      if (index < other) {
        scheduleDial(node, Topology.nodeId(other), now + random.nextLong(100 * MS));
      }
    }
  }

  // ---- inspection

  long seed() {
    return seed;
  }

  long now() {
    return now;
  }

  long traceHash() {
    return trace;
  }

  long eventsRun() {
    return eventsRun;
  }

  long framesSent() {
    return framesSent;
  }

  long framesLost() {
    return framesLost;
  }

  long sendsRefused() {
    return sendsRefused;
  }

  /** Shortest-path runs of every node so far, crashed lives included. */
  long routeComputations() {
    long total = routeComputationsOfCrashed;
    for (SimNode node : nodes) {
      if (node != null) {
        total += node.router().routeComputations();
      }
    }
    return total;
  }

  Map<String, Long> rejections() {
    return rejections;
  }

  Topology topology() {
    return topology;
  }

  int size() {
    return nodes.length;
  }

  /** The running node at {@code index}, or null if it is crashed. */
  SimNode node(int index) {
    return nodes[index];
  }

  boolean alive(int index) {
    return nodes[index] != null;
  }

  int index(String nodeId) {
    return indexOf.get(nodeId);
  }

  Link[] links() {
    return links;
  }

  List<Link> linksOf(int node) {
    return linksOf.get(node);
  }

  Link link(int a, int b) {
    return linkByPair.get(pair(a, b));
  }

  SplittableRandom random() {
    return random;
  }

  /**
   * Connected components of the current topology: live nodes joined by links that are up. The
   * component id of a crashed node is -1.
   */
  int[] components() {
    int n = nodes.length;
    int[] component = new int[n];
    java.util.Arrays.fill(component, -1);
    int next = 0;
    int[] stack = new int[n];
    for (int s = 0; s < n; s++) {
      if (component[s] != -1 || nodes[s] == null) {
        continue;
      }
      int top = 0;
      stack[top++] = s;
      component[s] = next;
      while (top > 0) {
        int u = stack[--top];
        for (Link link : linksOf.get(u)) {
          int v = link.other(u);
          if (link.up && nodes[v] != null && component[v] == -1) {
            component[v] = next;
            stack[top++] = v;
          }
        }
      }
      next++;
    }
    return component;
  }

  private void push(long at, int type, int node, int incarnation, int peer, long arg, Object payload) {
    queue.add(new Event(at, order++, type, node, incarnation, peer, arg, payload));
  }

  private long pair(int a, int b) {
    return (long) Math.min(a, b) * nodes.length + Math.max(a, b);
  }

  private static long mix(long h, long v) {
    h ^= v;
    h *= 0x100000001B3L;
    return h ^ (h >>> 31);
  }
}

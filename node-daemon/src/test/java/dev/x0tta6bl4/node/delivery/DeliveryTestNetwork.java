package dev.x0tta6bl4.node.delivery;

import dev.x0tta6bl4.node.delivery.DeliveryAction.Deliver;
import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliverBroadcast;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Delivered;
import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliveryFailed;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Forward;
import dev.x0tta6bl4.node.delivery.DeliveryAction.ForwardBroadcast;
import dev.x0tta6bl4.node.delivery.DeliveryAction.SendAck;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A small in-memory network of delivery cores in virtual time: per-link delay, jitter, loss and
 * duplication from one seeded generator; every frame goes through {@link DeliveryCodec}, so the
 * encodings are exercised too. Routes are static tables the test sets or computes by BFS; a test
 * changes them to model routing changes. Single-threaded; time moves only in {@link #runFor}.
 */
final class DeliveryTestNetwork {
  static final long MS = 1_000_000L;

  /** Behaviour of one direction of a link. */
  record LinkSpec(long delayNanos, long jitterNanos, double loss, double duplication) {
    static LinkSpec ideal(long delayNanos) {
      return new LinkSpec(delayNanos, 0, 0, 0);
    }
  }

  /** Static next-hop table of one node, changed by the test. */
  static final class Routes implements NextHops {
    final Map<String, Optional<String>> next = new HashMap<>();
    final Set<String> neighbours = new LinkedHashSet<>();

    void set(String destination, String hop) {
      next.put(destination, Optional.of(hop));
    }

    void remove(String destination) {
      next.remove(destination);
    }

    @Override
    public Optional<String> nextHop(String destination) {
      return next.getOrDefault(destination, Optional.empty());
    }

    @Override
    public Set<String> neighbours() {
      return neighbours;
    }
  }

  /** One node: its cores and what the cores told the application. */
  final class Node {
    final String id;
    final Routes routes = new Routes();
    final UnicastDelivery unicast;
    final BroadcastDelivery broadcast;
    final List<DataMessage> delivered = new ArrayList<>();
    final Map<MessageId, Delivered> acked = new LinkedHashMap<>();
    final Map<MessageId, DeliveryFailed> failures = new LinkedHashMap<>();
    final Map<MessageId, Long> sentAt = new HashMap<>();
    final Map<MessageId, Long> outcomeAt = new HashMap<>();
    final List<BroadcastMessage> broadcasts = new ArrayList<>();

    Node(String id, long boot, DeliverySettings settings) {
      this.id = id;
      this.unicast = new UnicastDelivery(id, boot, routes, settings, random.split(),
          a -> act(this, a));
      this.broadcast = new BroadcastDelivery(id, boot, routes, settings, a -> act(this, a));
    }

    SendResult<MessageId> send(String destination, byte[] payload) {
      SendResult<MessageId> r = unicast.send(destination, "t", payload, null, now);
      if (r instanceof SendResult.Accepted<MessageId> a) {
        sentAt.put(a.id(), now);
      }
      return r;
    }
  }

  private record Frame(long time, long order, String from, String to, int type, byte[] body) {}

  private static final int DATA = 1;
  private static final int ACK = 2;
  private static final int BROADCAST = 3;

  final long seed;
  final SplittableRandom random;
  final DeliveryCodec codec;
  final DeliverySettings settings;
  final Map<String, Node> nodes = new LinkedHashMap<>();
  final Map<String, LinkSpec> links = new HashMap<>();
  /** Data frames sent per directed link {@code "a>b"}, lost ones included. */
  final Map<String, Long> dataFrames = new TreeMap<>();
  private final PriorityQueue<Frame> inTransit = new PriorityQueue<>(
      (x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.order, y.order));
  private long order;
  long now = 1_000 * MS;
  private long nextBoot = 1;

  DeliveryTestNetwork(long seed, DeliverySettings settings) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.settings = settings;
    this.codec = new DeliveryCodec(settings.maxPayloadBytes());
    System.out.println("DeliveryTestNetwork seed=" + seed);
  }

  Node add(String id) {
    Node n = new Node(id, nextBoot++, settings);
    nodes.put(id, n);
    return n;
  }

  Node node(String id) {
    return nodes.get(id);
  }

  /** Connects {@code a} and {@code b} both ways with {@code spec}. */
  void connect(String a, String b, LinkSpec spec) {
    links.put(a + ">" + b, spec);
    links.put(b + ">" + a, spec);
    node(a).routes.neighbours.add(b);
    node(b).routes.neighbours.add(a);
  }

  /** Cuts the link both ways; frames already in transit still arrive. */
  void disconnect(String a, String b) {
    links.remove(a + ">" + b);
    links.remove(b + ">" + a);
    node(a).routes.neighbours.remove(b);
    node(b).routes.neighbours.remove(a);
  }

  /** Sets every node's routes to shortest paths (BFS in hops) over the current links. */
  void computeRoutes() {
    for (Node src : nodes.values()) {
      src.routes.next.clear();
      Map<String, String> firstHop = new HashMap<>();
      ArrayDeque<String> queue = new ArrayDeque<>();
      queue.add(src.id);
      firstHop.put(src.id, src.id);
      while (!queue.isEmpty()) {
        String cur = queue.poll();
        for (String nb : node(cur).routes.neighbours) {
          if (!firstHop.containsKey(nb)) {
            firstHop.put(nb, cur.equals(src.id) ? nb : firstHop.get(cur));
            queue.add(nb);
          }
        }
      }
      firstHop.forEach((dst, hop) -> {
        if (!dst.equals(src.id)) {
          src.routes.set(dst, hop);
        }
      });
    }
  }

  /** Runs virtual time forward by {@code nanos}: frames arrive, every node ticks each ms. */
  void runFor(long nanos) {
    long end = now + nanos;
    while (now < end) {
      long step = Math.min(end, now + settings.timerTick().toNanos());
      while (!inTransit.isEmpty() && inTransit.peek().time <= step) {
        Frame f = inTransit.poll();
        now = Math.max(now, f.time);
        receive(f);
      }
      now = step;
      for (Node n : nodes.values()) {
        n.unicast.tick(now);
      }
    }
  }

  /** Runs until {@code done} holds or {@code maxNanos} passed; returns whether it held. */
  boolean runUntil(java.util.function.BooleanSupplier done, long maxNanos) {
    long end = now + maxNanos;
    while (now < end) {
      if (done.getAsBoolean()) {
        return true;
      }
      runFor(Math.min(10 * MS, end - now));
    }
    return done.getAsBoolean();
  }

  int framesInTransit() {
    return inTransit.size();
  }

  private void receive(Frame f) {
    Node n = node(f.to);
    switch (f.type) {
      case DATA -> n.unicast.dataReceived(f.from, codec.decodeData(f.body), now);
      case ACK -> n.unicast.ackReceived(f.from, codec.decodeAck(f.body), now);
      default -> n.broadcast.broadcastReceived(f.from, codec.decodeBroadcast(f.body), now);
    }
  }

  private void act(Node n, DeliveryAction a) {
    if (a instanceof Forward f) {
      dataFrames.merge(n.id + ">" + f.nextHop(), 1L, Long::sum);
      transmit(n.id, f.nextHop(), DATA, codec.encode(f.message()));
    } else if (a instanceof SendAck s) {
      transmit(n.id, s.nextHop(), ACK, codec.encode(s.ack()));
    } else if (a instanceof ForwardBroadcast b) {
      transmit(n.id, b.neighbour(), BROADCAST, codec.encode(b.message()));
    } else if (a instanceof Deliver d) {
      n.delivered.add(d.message());
    } else if (a instanceof Delivered d) {
      n.acked.put(d.id(), d);
      n.outcomeAt.put(d.id(), now);
    } else if (a instanceof DeliveryFailed d) {
      n.failures.put(d.id(), d);
      n.outcomeAt.put(d.id(), now);
    } else if (a instanceof DeliverBroadcast d) {
      n.broadcasts.add(d.message());
    }
  }

  private void transmit(String from, String to, int type, byte[] body) {
    LinkSpec spec = links.get(from + ">" + to);
    if (spec == null || random.nextDouble() < spec.loss()) {
      return;
    }
    int copies = random.nextDouble() < spec.duplication() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = spec.delayNanos() + (spec.jitterNanos() > 0
          ? random.nextLong(spec.jitterNanos() + 1) : 0);
      inTransit.add(new Frame(now + delay, order++, from, to, type, body));
    }
  }
}

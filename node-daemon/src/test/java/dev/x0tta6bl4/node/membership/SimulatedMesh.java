package dev.x0tta6bl4.node.membership;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A tiny deterministic driver for several {@link FailureDetector} cores in virtual time: a full
 * mesh of links with per-message delay (base + uniform jitter, FIFO per direction like TCP), ticks
 * every heartbeat interval with a random phase and optional jitter, and faults: a node killed
 * (silent for good), a node stalled (it runs nothing during the stall, its inbound frames and its
 * tick wait until it resumes, like a frozen JVM), a directed link dropping everything. The adapter
 * part is done here as the Netty adapter will do it: a HEARTBEAT is answered with its reply, and a
 * link whose peer is declared DEAD is closed, which the peer sees as {@code linkClosed}.
 *
 * <p>Single-threaded; every random choice comes from the seed.
 */
final class SimulatedMesh {
  static final long MS = 1_000_000L;

  /** One event a core emitted, with the node that emitted it. */
  record Observed(String node, DetectorOutput.Event event) {}

  private sealed interface Msg permits Heartbeat, Ack, ProbeReq, ProbeRes, Closed {}

  /** The other end closed the link (what the socket's close looks like to the peer). */
  private record Closed() implements Msg {}

  private record Heartbeat(long seq, long sentNanos) implements Msg {}

  private record Ack(long seq, long sentNanos) implements Msg {}

  private record ProbeReq(long probeId, String target) implements Msg {}

  private record ProbeRes(long probeId, String target, ProbeOutcome outcome) implements Msg {}

  private record Scheduled(long at, long order, String node, String from, Msg msg)
      implements Comparable<Scheduled> {
    boolean isTick() {
      return msg == null;
    }

    @Override
    public int compareTo(Scheduled o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private final SplittableRandom random;
  private final long baseDelayNanos;
  private final long jitterNanos;
  private final long tickJitterNanos;
  private final long intervalNanos;
  private final Map<String, FailureDetector> cores = new LinkedHashMap<>();
  private final Map<String, Long> killedAt = new HashMap<>();
  private final Map<String, List<long[]>> stalls = new HashMap<>();
  private final Set<String> droppedLinks = new HashSet<>();
  private final Map<String, Long> lastDelivery = new HashMap<>();
  private final Set<String> tickDeferred = new HashSet<>();
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private final List<Observed> events = new ArrayList<>();
  private final List<String> probeAnswers = new ArrayList<>();
  private long order;
  private long now;

  SimulatedMesh(
      long seed,
      FailureDetectorSettings settings,
      List<String> nodes,
      long baseDelayNanos,
      long jitterNanos,
      long tickJitterNanos) {
    this.random = new SplittableRandom(seed);
    this.baseDelayNanos = baseDelayNanos;
    this.jitterNanos = jitterNanos;
    this.tickJitterNanos = tickJitterNanos;
    this.intervalNanos = settings.heartbeatInterval().toNanos();
    for (String n : nodes) {
      cores.put(n, new FailureDetector(n, settings, random.split()));
    }
    for (String a : nodes) {
      for (String b : nodes) {
        if (!a.equals(b)) {
          handle(a, cores.get(a).linkUp(b, 0));
        }
      }
      schedule(random.nextLong(intervalNanos), a, null, null);
    }
  }

  FailureDetector core(String node) {
    return cores.get(node);
  }

  long now() {
    return now;
  }

  List<Observed> events() {
    return events;
  }

  /** "helper->requester:target:OUTCOME" for every probe result sent. */
  List<String> probeAnswers() {
    return probeAnswers;
  }

  void kill(String node, long atNanos) {
    killedAt.put(node, atNanos);
  }

  void stall(String node, long fromNanos, long durationNanos) {
    stalls.computeIfAbsent(node, n -> new ArrayList<>()).add(new long[] {fromNanos, fromNanos + durationNanos});
  }

  void dropLink(String from, String to) {
    droppedLinks.add(from + ">" + to);
  }

  /** Runs every event up to and including {@code untilNanos}; bounded by the event count. */
  void runUntil(long untilNanos) {
    int budget = 50_000_000;
    while (!queue.isEmpty() && queue.peek().at() <= untilNanos) {
      if (--budget == 0) {
        throw new IllegalStateException("simulation did not converge by " + untilNanos);
      }
      Scheduled s = queue.poll();
      now = s.at();
      if (isKilled(s.node(), now)) {
        continue;
      }
      long[] stall = activeStall(s.node(), now);
      if (stall != null) {
        if (!s.isTick() || tickDeferred.add(s.node())) {
          schedule(stall[1], s.node(), s.from(), s.msg());
        }
        continue;
      }
      if (s.isTick()) {
        tickDeferred.remove(s.node());
        handle(s.node(), cores.get(s.node()).tick(now));
        long jitter = tickJitterNanos == 0 ? 0 : random.nextLong(tickJitterNanos + 1);
        schedule(now + intervalNanos + jitter, s.node(), null, null);
      } else {
        deliver(s.node(), s.from(), s.msg());
      }
    }
    now = untilNanos;
  }

  private void deliver(String node, String from, Msg msg) {
    FailureDetector core = cores.get(node);
    if (msg instanceof Heartbeat h) {
      handle(node, core.heartbeatReceived(from, now));
      send(node, from, new Ack(h.seq(), h.sentNanos()));
    } else if (msg instanceof Ack a) {
      handle(node, core.heartbeatAckReceived(from, a.seq(), a.sentNanos(), now));
    } else if (msg instanceof ProbeReq r) {
      handle(node, core.probeRequestReceived(from, r.probeId(), r.target(), now));
    } else if (msg instanceof ProbeRes r) {
      handle(node, core.probeResultReceived(from, r.probeId(), r.target(), r.outcome(), now));
    } else if (msg instanceof Closed) {
      handle(node, core.linkClosed(from, now));
    }
  }

  private void handle(String node, List<DetectorOutput> outputs) {
    for (DetectorOutput o : outputs) {
      if (o instanceof DetectorOutput.Event e) {
        events.add(new Observed(node, e));
        if (e instanceof DetectorOutput.Dead d && d.reason() != DeathReason.LINK_CLOSED) {
          // The adapter closes a dead link; the peer sees the close after one delivery delay.
          cores.get(node).linkClosed(d.peer(), now);
          sendClose(node, d.peer());
        }
      } else if (o instanceof DetectorOutput.SendHeartbeat h) {
        send(node, h.peer(), new Heartbeat(h.seq(), h.sentNanos()));
      } else if (o instanceof DetectorOutput.SendProbeRequest r) {
        send(node, r.via(), new ProbeReq(r.probeId(), r.target()));
      } else if (o instanceof DetectorOutput.SendProbeResult r) {
        probeAnswers.add(node + "->" + r.to() + ":" + r.target() + ":" + r.outcome());
        send(node, r.to(), new ProbeRes(r.probeId(), r.target(), r.outcome()));
      }
    }
  }

  private void sendClose(String from, String to) {
    if (!isKilled(from, now)) {
      schedule(now + baseDelayNanos, to, from, new Closed());
    }
  }

  private void send(String from, String to, Msg msg) {
    if (isKilled(from, now) || droppedLinks.contains(from + ">" + to)) {
      return;
    }
    long delay = baseDelayNanos + (jitterNanos == 0 ? 0 : random.nextLong(jitterNanos + 1));
    String link = from + ">" + to;
    long at = Math.max(now + delay, lastDelivery.getOrDefault(link, 0L));
    lastDelivery.put(link, at);
    schedule(at, to, from, msg);
  }

  private long[] activeStall(String node, long at) {
    for (long[] stall : stalls.getOrDefault(node, List.of())) {
      if (at >= stall[0] && at < stall[1]) {
        return stall;
      }
    }
    return null;
  }

  private boolean isKilled(String node, long at) {
    Long k = killedAt.get(node);
    return k != null && at >= k;
  }

  private void schedule(long at, String node, String from, Msg msg) {
    queue.add(new Scheduled(at, order++, node, from, msg));
  }
}

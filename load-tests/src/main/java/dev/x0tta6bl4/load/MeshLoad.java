package dev.x0tta6bl4.load;

import dev.x0tta6bl4.node.mesh.MeshRejectedException;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * Unicast load over a line of real nodes (a {@link LocalCluster} on loopback with post-quantum
 * TLS): the first node sends 256-byte messages to the last one through {@link MeshService}, and
 * every outcome and every delivery is tracked per message, so a run can both measure and check
 * that each acknowledged message was delivered exactly once.
 *
 * <p>The producer runs on the source node's own event loop (the loop that owns its mesh state),
 * so a send costs no thread hop; outcomes complete on that loop too, and delivery is counted on
 * the destination's loop. Every run is bounded in time and in messages.
 *
 * <p>Driven from one thread; closing stops the nodes.
 */
final class MeshLoad implements AutoCloseable {
  static final String TOPIC = "load";
  /** Name prefix of every node's event loop threads (see {@code EventLoops}). */
  static final String NODE_THREADS = "meshd-io";
  private static final List<String> WATCHED = List.of("meshd.delivery.retransmits",
      "meshd.delivery.duplicates", "meshd.mesh.send.refused",
      "meshd.link.backpressure.rejections");

  private final LocalCluster cluster;
  private final MeshService source;
  private final EventLoop sourceLoop;
  private final EventLoop destinationLoop;
  private final String destination;
  private final int payloadBytes;
  private final int hops;
  private Tracker tracker;

  MeshLoad(Path dir, int nodes, int payloadBytes) {
    if (nodes < 2) {
      throw new IllegalArgumentException("nodes " + nodes + " is too few; expected at least 2");
    }
    if (payloadBytes < Long.BYTES) {
      throw new IllegalArgumentException("payload of " + payloadBytes
          + " bytes is too small; expected at least " + Long.BYTES);
    }
    this.payloadBytes = payloadBytes;
    this.hops = nodes - 1;
    this.cluster = LocalCluster.start(dir, nodes, Topology.LINE);
    try {
      cluster.awaitTopology(Duration.ofSeconds(20));
      LocalCluster.ClusterNode first = cluster.node(0);
      LocalCluster.ClusterNode last = cluster.node(nodes - 1);
      destination = last.id();
      LocalCluster.await(() -> first.mesh().routeTable().route(destination)
              .map(r -> r.hops() == hops).orElse(false),
          Duration.ofSeconds(20), () -> "a " + hops + "-hop route " + first.id() + " -> " + destination);
      source = first.mesh();
      sourceLoop = first.links().executor();
      destinationLoop = last.links().executor();
      last.mesh().subscribe(TOPIC, m -> {
        Tracker t = tracker;
        if (t != null) {
          t.delivered(ByteBuffer.wrap(m.payload()).getLong(0));
        }
      });
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  int hops() {
    return hops;
  }

  /**
   * Closed loop: at most {@code window} messages sent and not yet acknowledged. Measures
   * acknowledged messages per second over {@code duration} after {@code warmup}.
   */
  Result maxThroughput(int window, Duration warmup, Duration duration, long maxMessages)
      throws Exception {
    Tracker t = start(maxMessages);
    long begin = System.nanoTime();
    t.measureFrom = begin + warmup.toNanos();
    t.measureUntil = t.measureFrom + duration.toNanos();
    ClosedLoop producer = new ClosedLoop(t, window, t.measureUntil);
    sourceLoop.execute(producer);
    sleepUntil(t.measureFrom);
    long cpu = ThreadCpu.nanos(NODE_THREADS);
    sleepUntil(t.measureUntil);
    t.cpuNanos = ThreadCpu.nanos(NODE_THREADS) - cpu;
    return finish(t, duration);
  }

  /**
   * Open loop: message {@code i} is due at {@code start + i / rate} whatever happened to earlier
   * ones; latency runs from that due time to the acknowledgement, so a stall counts against
   * every message it delayed (no coordinated omission).
   */
  Result fixedRate(double perSecond, Duration warmup, Duration duration, long maxMessages)
      throws Exception {
    Tracker t = start(maxMessages);
    long begin = System.nanoTime();
    t.measureFrom = begin + warmup.toNanos();
    t.measureUntil = t.measureFrom + duration.toNanos();
    OpenLoop producer = new OpenLoop(t, perSecond, begin, t.measureUntil);
    // A pacing thread wakes the producer on the source's loop; each wake-up sends every message
    // due by then, timed from its due time.
    long end = t.measureUntil;
    while (System.nanoTime() < end && !producer.exhausted) {
      if (producer.wake.compareAndSet(false, true)) {
        sourceLoop.execute(producer);
      }
      TimeUnit.MICROSECONDS.sleep(20); // load pacing, not a wait for a condition
    }
    return finish(t, duration);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left); // the run's own schedule, not a wait for a condition
    }
  }

  private Tracker start(long maxMessages) throws Exception {
    Tracker t = new Tracker(maxMessages);
    tracker = t;
    barrier();
    t.countersBefore = counters();
    return t;
  }

  /** Counters of every node that tell why a run went slowly, summed over the nodes. */
  private Map<String, Double> counters() {
    Map<String, Double> sums = new TreeMap<>();
    for (LocalCluster.ClusterNode node : cluster.nodes()) {
      MeterRegistry registry = node.container().get(PrometheusMeterRegistry.class);
      for (String name : WATCHED) {
        for (Meter meter : registry.find(name).meters()) {
          for (Measurement m : meter.measure()) {
            sums.merge(name.substring(name.indexOf('.') + 1), m.getValue(), Double::sum);
          }
        }
      }
    }
    return sums;
  }

  /** Waits (bounded) for every outcome, then checks deliveries against acknowledgements. */
  private Result finish(Tracker t, Duration duration) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      long outstanding = sourceLoop.submit(() -> t.sent - t.outcomes).get(5, TimeUnit.SECONDS);
      if (outstanding == 0 && System.nanoTime() > t.measureUntil) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(10); // polling real nodes; bounded by the deadline
    }
    barrier();
    tracker = null;
    Map<String, Double> after = counters();
    Map<String, Long> delta = new TreeMap<>();
    after.forEach((k, v) -> delta.put(k, Math.round(v - t.countersBefore.getOrDefault(k, 0.0))));
    return t.result(duration, hops, delta);
  }

  /** Makes both loops' writes visible to this thread. */
  private void barrier() throws Exception {
    sourceLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
    destinationLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
  }

  private byte[] payload(long index) {
    byte[] p = new byte[payloadBytes];
    ByteBuffer.wrap(p).putLong(0, index);
    return p;
  }

  /** Sends message {@code index}; on the source loop. False when the node refused it. */
  private boolean send(Tracker t, long index, long dueNanos, Runnable onOutcome) {
    CompletableFuture<MeshService.Accepted> accepted =
        source.send(destination, TOPIC, payload(index), null);
    t.sent++;
    accepted.whenComplete((a, error) -> {
      if (error != null) {
        t.outcomes++;
        if (error instanceof MeshRejectedException) {
          t.rejected++;
        } else {
          t.otherErrors++;
        }
        onOutcome.run();
        return;
      }
      a.outcome().whenComplete((outcome, e) -> {
        t.outcomes++;
        long now = System.nanoTime();
        if (e == null && outcome.delivered()) {
          t.acked(index, dueNanos, now);
        } else {
          t.failed++;
        }
        onOutcome.run();
      });
    });
    return !accepted.isCompletedExceptionally();
  }

  private final class ClosedLoop implements Runnable {
    private final Tracker t;
    private final int window;
    private final long until;
    private boolean scheduled = true;
    private boolean running;
    private final Runnable onOutcome = this::onOutcome;

    ClosedLoop(Tracker t, int window, long until) {
      this.t = t;
      this.window = window;
      this.until = until;
    }

    @Override
    public void run() {
      scheduled = false;
      running = true;
      try {
        long now = System.nanoTime();
        while (t.sent - t.outcomes < window && t.sent < t.capacity && now < until) {
          if (!send(t, t.sent, now, onOutcome)) {
            // Refused (queue full): try again a little later rather than spin.
            scheduled = true;
            sourceLoop.schedule(this, 1, TimeUnit.MILLISECONDS);
            return;
          }
          now = System.nanoTime();
        }
      } finally {
        running = false;
      }
    }

    private void onOutcome() {
      if (!scheduled && !running && t.sent - t.outcomes <= window / 2 && System.nanoTime() < until) {
        scheduled = true;
        sourceLoop.execute(this);
      }
    }
  }

  private final class OpenLoop implements Runnable {
    final AtomicBoolean wake = new AtomicBoolean();
    volatile boolean exhausted;
    private final Tracker t;
    private final double nanosPerMessage;
    private final long begin;
    private final long until;
    private final Runnable onOutcome = () -> { };

    OpenLoop(Tracker t, double perSecond, long begin, long until) {
      this.t = t;
      this.nanosPerMessage = 1e9 / perSecond;
      this.begin = begin;
      this.until = until;
    }

    @Override
    public void run() {
      wake.set(false);
      long now = System.nanoTime();
      while (t.sent < t.capacity) {
        long due = begin + (long) (t.sent * nanosPerMessage);
        if (due > now || due >= until) {
          break;
        }
        send(t, t.sent, due, onOutcome);
      }
      if (t.sent >= t.capacity) {
        exhausted = true;
      }
    }
  }

  /**
   * Per-run bookkeeping. Source-side fields are written only on the source loop, delivery counts
   * only on the destination loop; the driver reads them after a barrier on both.
   */
  static final class Tracker {
    final int capacity;
    final BitSet ackedSet;
    final byte[] deliveries;
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    volatile long measureFrom;
    volatile long measureUntil;
    volatile long cpuNanos = -1;
    volatile Map<String, Double> countersBefore = Map.of();
    long sent;
    long outcomes;
    long acked;
    long ackedInWindow;
    long rejected;
    long failed;
    long otherErrors;
    long deliveredCount;
    long duplicates;
    long unknown;

    Tracker(long maxMessages) {
      if (maxMessages < 1 || maxMessages > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("maxMessages " + maxMessages + " is out of range");
      }
      this.capacity = (int) maxMessages;
      this.ackedSet = new BitSet(capacity);
      this.deliveries = new byte[capacity];
    }

    void acked(long index, long dueNanos, long now) {
      acked++;
      ackedSet.set((int) index);
      if (now >= measureFrom && now < measureUntil) {
        ackedInWindow++;
      }
      if (dueNanos >= measureFrom) {
        latency.recordValue(Math.max(0, now - dueNanos));
      }
    }

    void delivered(long index) {
      if (index < 0 || index >= capacity) {
        unknown++;
        return;
      }
      deliveredCount++;
      int i = (int) index;
      if (deliveries[i] != 0) {
        duplicates++;
      }
      if (deliveries[i] < Byte.MAX_VALUE) {
        deliveries[i]++;
      }
    }

    Result result(Duration duration, int hops, Map<String, Long> counters) {
      long ackedNotDelivered = 0;
      for (int i = ackedSet.nextSetBit(0); i >= 0; i = ackedSet.nextSetBit(i + 1)) {
        if (deliveries[i] != 1) {
          ackedNotDelivered++;
        }
      }
      return new Result(hops, sent, acked, ackedInWindow / (duration.toNanos() / 1e9),
          cpuNanos < 0 || ackedInWindow == 0 ? Double.NaN : cpuNanos / 1e3 / ackedInWindow,
          rejected, failed + otherErrors, deliveredCount, duplicates + unknown, ackedNotDelivered,
          latency.copy(), counters);
    }
  }

  /**
   * One run's figures and its correctness verdict.
   *
   * @param ackedPerSecond acknowledgements received per second during the measured window
   * @param cpuMicrosPerMessage CPU time of every node's event loops per acknowledged message
   *     (closed loop only, else NaN), microseconds
   * @param duplicates deliveries beyond the first of a message (must be 0)
   * @param ackedNotDelivered acknowledged messages not delivered exactly once (must be 0)
   * @param latency send (or due time) to acknowledgement, nanoseconds, measured window only
   * @param nodeCounters changes during the run of the nodes' retransmission, duplicate and
   *     backpressure counters, summed over the nodes
   */
  record Result(int hops, long sent, long acked, double ackedPerSecond,
      double cpuMicrosPerMessage, long rejected,
      long failed, long delivered, long duplicates, long ackedNotDelivered, Histogram latency,
      Map<String, Long> nodeCounters) {

    boolean exactlyOnce() {
      return duplicates == 0 && ackedNotDelivered == 0;
    }

    double percentileMillis(double p) {
      return latency.getValueAtPercentile(p) / 1e6;
    }

    String latencySummary() {
      if (latency.getTotalCount() == 0) {
        return "no latency samples";
      }
      return String.format("p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (%d samples)",
          percentileMillis(50), percentileMillis(99), percentileMillis(99.9),
          latency.getMaxValue() / 1e6, latency.getTotalCount());
    }
  }

  @Override
  public void close() {
    cluster.close();
  }
}

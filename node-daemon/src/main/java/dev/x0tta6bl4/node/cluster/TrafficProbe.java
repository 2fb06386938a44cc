package dev.x0tta6bl4.node.cluster;

import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.mesh.MeshService.Accepted;
import dev.x0tta6bl4.node.mesh.MeshService.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady unicast traffic from one node to another, with the bookkeeping to judge it: when each
 * message was accepted and first delivered, how often each was delivered, and how each ended.
 * Measures recovery as the time from a fault to the first delivery of a message sent after it,
 * and checks the promise of the mesh: every acknowledged message delivered exactly once.
 *
 * <p>Messages are sent from one scheduler thread at a fixed interval, for a bounded time: the
 * probe stops by itself after {@code maxDuration}. Thread-safe.
 */
public final class TrafficProbe implements AutoCloseable {
  /** How the traffic ended, once every message has an outcome. */
  public record Summary(
      int sent,
      long rejected,
      long acknowledged,
      Map<String, Integer> failures,
      int received,
      int deliveredMoreThanOnce,
      int acknowledgedButNotDelivered) {

    /** Nothing acknowledged was lost and nothing reached the application twice. */
    public boolean promiseKept() {
      return deliveredMoreThanOnce == 0 && acknowledgedButNotDelivered == 0;
    }
  }

  private final MeshService source;
  private final String destination;
  private final String topic;
  private final ScheduledExecutorService sender;
  private final MeshService.Subscription subscription;
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> receivedCount = new ConcurrentHashMap<>();
  private final List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> roundTrips = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicLong rejected = new AtomicLong();

  private TrafficProbe(MeshService source, MeshService destination, String topic) {
    this.source = source;
    this.destination = destination.localNodeId();
    this.topic = topic;
    this.subscription = destination.subscribe(topic, m -> {
      receivedAt.putIfAbsent(m.messageId(), System.nanoTime());
      receivedCount.merge(m.messageId(), 1, Integer::sum);
    });
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "traffic-probe");
      t.setDaemon(true);
      return t;
    });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // the stop timer too
    this.sender = executor;
  }

  /**
   * Starts sending from {@code source} to {@code destination} on {@code topic} every {@code
   * interval}, for at most {@code maxDuration}.
   */
  public static TrafficProbe start(MeshService source, MeshService destination, String topic,
      Duration interval, Duration maxDuration) {
    TrafficProbe probe = new TrafficProbe(source, destination, topic);
    probe.sender.scheduleAtFixedRate(probe::sendOne, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    probe.sender.schedule(probe::stopSending, maxDuration.toNanos(), TimeUnit.NANOSECONDS);
    return probe;
  }

  private void sendOne() {
    long now = System.nanoTime();
    byte[] payload = ("m" + sequence.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
    source.send(destination, topic, payload, null).whenComplete((a, e) -> {
      if (e != null) {
        rejected.incrementAndGet(); // no route yet, queue full: the sender was told at once
        return;
      }
      sentAt.put(a.messageId(), now);
      accepted.add(a);
      a.outcome().thenAccept(o -> {
        if (o.delivered()) {
          roundTrips.add(o.roundTrip().toNanos());
        }
      });
    });
  }

  /** Messages accepted so far. */
  public int sent() {
    return accepted.size();
  }

  /** Distinct messages delivered to the destination so far. */
  public int received() {
    return receivedCount.size();
  }

  /** The first delivery of a message that was sent at or after {@code nanos}, if any yet. */
  public OptionalLong firstDeliveryOfMessageSentAfter(long nanos) {
    return receivedAt.entrySet().stream()
        .filter(e -> e.getValue() >= nanos && sentAt.getOrDefault(e.getKey(), Long.MIN_VALUE) >= nanos)
        .mapToLong(Map.Entry::getValue)
        .min();
  }

  /**
   * Waits until a message sent after {@code faultNanos} has been delivered and returns how long
   * after the fault that was.
   */
  public Duration awaitDeliveryAfter(long faultNanos, Duration timeout, String what) {
    LocalCluster.await(() -> firstDeliveryOfMessageSentAfter(faultNanos).isPresent(), timeout,
        () -> what);
    return Duration.ofNanos(firstDeliveryOfMessageSentAfter(faultNanos).getAsLong() - faultNanos);
  }

  /** Round trips (send to acknowledgement) of the messages acknowledged so far, sorted. */
  public List<Long> roundTripsNanos() {
    List<Long> copy;
    synchronized (roundTrips) {
      copy = new ArrayList<>(roundTrips);
    }
    Collections.sort(copy);
    return copy;
  }

  /** Stops sending; messages in flight keep going. Idempotent. */
  public void stopSending() {
    sender.shutdown();
  }

  /**
   * Stops sending, waits up to {@code timeout} for every accepted message to end, and judges
   * the run. A message still without outcome then counts as failed with reason "pending".
   */
  public Summary finish(Duration timeout) throws InterruptedException {
    stopSending();
    sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    long acknowledged = 0;
    int lost = 0;
    Map<String, Integer> failures = new TreeMap<>();
    List<Accepted> judged = List.copyOf(accepted);
    for (Accepted a : judged) {
      Outcome outcome;
      try {
        outcome = a.outcome().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        failures.merge("pending", 1, Integer::sum);
        continue;
      }
      if (outcome.delivered()) {
        acknowledged++;
        if (receivedCount.getOrDefault(a.messageId(), 0) == 0) {
          lost++;
        }
      } else {
        failures.merge(outcome.failure().orElse("unknown"), 1, Integer::sum);
      }
    }
    int twice = (int) receivedCount.values().stream().filter(c -> c > 1).count();
    return new Summary(judged.size(), rejected.get(), acknowledged, failures,
        receivedCount.size(), twice, lost);
  }

  @Override
  public void close() {
    stopSending();
    subscription.close();
  }

  /** The {@code p}-th percentile (nearest rank) of sorted values, or 0 for none. */
  public static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
